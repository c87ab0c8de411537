export { startEmulator, type Emulator, type EmulatorStats, type RequestLogEntry } from './server';
export { emulatorOptionsFromFlags, runEmulatorForeground, type EmulatorFlags } from './foreground';
export { faultKinds, type EmulatorOptions, type Fault, type FaultKind, type MessageBatchOptions } from './options';
export { documentIdentity } from './request';
export { messageBatchLifetimeMs, type MessageBatches, type MessageBatchState, type MessageBatchResultLine } from './message-batches';
