// Types of bin/heap.js (plain JavaScript: it runs before anything is compiled or registered).
export declare const DEFAULT_HEAP_MB: number;
export declare function heapChosen(execArgv?: string[], nodeOptions?: string): boolean;
export declare function heapFlags(execArgv?: string[], nodeOptions?: string): string[];
export declare function needsHeapCap(args?: string[]): boolean;
export declare function relaunchWithHeapCap(script: string): void;
export declare function followParent(): void;
