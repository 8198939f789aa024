// The interface of a generated module (cli-and-modules.md), for TypeScript
// users of gradc's own code. Generated `.d.ts` files spell the same thing.
export type InputValue = Float32Array | Float64Array | Int32Array | ArrayLike<number> | number;
export type ResultValue = Float32Array | Float64Array | number;

export interface GeneratedModel {
  params: Record<string, Float32Array | Float64Array>;
  shapes: Record<string, number[]>;
  forward(inputs: Record<string, InputValue>): { loss: number; outputs: Record<string, ResultValue> };
  grad(inputs: Record<string, InputValue>): { loss: number; grad: Record<string, ResultValue> };
  /** The outputs alone, in eval mode. */
  predict(inputs: Record<string, InputValue>): Record<string, ResultValue>;
  step(inputs: Record<string, InputValue>): number;
  train(): void;
  eval(): void;
  state(): Record<string, Float32Array | Float64Array>;
  load(state: Record<string, ArrayLike<number>>): void;
}

/** The WebGPU module: the same API, asynchronous where it reads results back. */
export interface GeneratedGpuModel {
  params: Record<string, Float32Array>;
  shapes: Record<string, number[]>;
  forward(inputs: Record<string, InputValue>): Promise<{ loss: number; outputs: Record<string, ResultValue> }>;
  grad(inputs: Record<string, InputValue>): Promise<{ loss: number; grad: Record<string, ResultValue> }>;
  predict(inputs: Record<string, InputValue>): Promise<Record<string, ResultValue>>;
  step(inputs: Record<string, InputValue>): Promise<number>;
  train(): void;
  eval(): void;
  state(): Promise<Record<string, Float32Array>>;
  load(state: Record<string, ArrayLike<number>>): Promise<void> | void;
  dispose(): Promise<void>;
}

export interface GeneratedModule {
  create(opts?: { dims?: Record<string, number>; seed?: number; maxMemory?: number; copy?: boolean }): GeneratedModel;
}
