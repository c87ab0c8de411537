export { startEmulator, type Emulator, type EmulatorStats, type RequestLogEntry } from './server';
export { emulatorOptionsFromFlags, runEmulatorForeground, type EmulatorFlags } from './foreground';
export { faultKinds, type EmulatorOptions, type Fault, type FaultKind } from './options';
export { documentIdentity } from './request';
