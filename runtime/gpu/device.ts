// A WebGPU device in Node: Dawn through the `webgpu` package (an optional peer
// dependency, imported only when a device is asked for), which needs a
// Vulkan driver (on a machine without a GPU, Mesa's lavapipe; see
// ../shared/notes/webgpu-without-a-gpu.md). Probing never throws: it answers
// with a device, or with one line saying why there is none.
/**
 * There is no WebGPU device here; the message says why in one line. The
 * command line reports it as `gradc: error: …` with exit status 1: the
 * machine, not gradc, lacks something.
 */
export class GpuUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'GpuUnavailableError';
  }
}

export type DeviceProbe = { device: GPUDevice; adapter: string } | { device?: undefined; reason: string };

let probe: Promise<DeviceProbe> | undefined;
/**
 * Dawn's instance and adapter must outlive the device: when the garbage
 * collector frees them, the device's threads crash the process (a futex
 * error or a segfault, at a moment that depends on allocation).
 */
const keepAlive: unknown[] = [];

/** The process's one device (Dawn's instance and adapter are created once). */
export function nodeDevice(): Promise<DeviceProbe> {
  probe ??= open();
  return probe;
}

async function open(): Promise<DeviceProbe> {
  // Dawn warns on stderr without a runtime folder; any writable one will do.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  let webgpu: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    webgpu = (await import('webgpu')) as unknown as typeof webgpu;
  } catch (e) {
    return { reason: webgpuMissing(e) };
  }
  try {
    // GPUBufferUsage and friends, for code that spells flags by name.
    for (const [k, v] of Object.entries(webgpu.globals)) if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
    const gpu = webgpu.create([]);
    keepAlive.push(gpu);
    const adapter = await gpu.requestAdapter();
    keepAlive.push(adapter);
    if (!adapter) {
      return { reason: 'no WebGPU adapter: Dawn found no Vulkan driver (install Mesa lavapipe from bookworm-backports: mesa-vulkan-drivers libvulkan1)' };
    }
    const device = await adapter.requestDevice();
    const info = adapter.info;
    return { device, adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter' };
  } catch (e) {
    return { reason: `no WebGPU device: ${firstLine(e)}` };
  }
}

/**
 * Dawn (the `webgpu` package, about 130 MB of binaries) is an optional peer
 * dependency: only --target wgsl in Node needs it, so installing gradc does
 * not pull it. Loaded on demand; when absent, one line says how to get it.
 */
export function webgpuMissing(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return "the WebGPU target in Node needs the optional 'webgpu' package (Dawn): run `npm install webgpu` beside gradc";
  }
  return `no WebGPU in Node: the 'webgpu' package cannot be loaded (${firstLine(e)})`;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}
