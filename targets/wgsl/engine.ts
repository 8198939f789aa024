// The part of every MODEL.gpu.js that does not depend on the model: GPU
// buffers, pipelines and bind groups (created once; the size-dependent buffers
// again only when a run-time dim changes), and one command buffer per call
// that dispatches a program's kernels and copies back only what is asked for.
// It is plain JavaScript inside create(), where the generated part has defined
// `device`, `d` (the dims), `DIMS`, `PROGRAMS`, `layout()`, `PARAMS_SIZE`,
// `OPTIM_SIZE`, `RUN_BYTES`, `writeRun()` and `uploadParams()`.
export const ENGINE = `\
// WebGPU flags, as numbers so that the module needs no globals.
const STORAGE = 0x80, UNIFORM = 0x40, COPY_SRC = 0x04, COPY_DST = 0x08, MAP_READ = 0x01, COMPUTE = 0x4, MAP_MODE_READ = 0x1;
const bytes = (n) => Math.max(4, n * 4); // of n floats; a binding holds at least one
const gpu = {
  run: device.createBuffer({ size: RUN_BYTES, usage: UNIFORM | COPY_DST }),
  params: device.createBuffer({ size: bytes(PARAMS_SIZE), usage: STORAGE | COPY_SRC | COPY_DST }),
  optim: device.createBuffer({ size: bytes(OPTIM_SIZE), usage: STORAGE | COPY_SRC | COPY_DST }),
};
let L; // layout() for the current dims
let sizesKey;
const bindGroups = new Map();
const pipelines = new Map();
let staging;
let stagingBytes = 0;

// Buffers whose size depends on the run-time dims: made again when a dim changes.
function resize() {
  const key = DIMS.map((n) => d[n]).join(',');
  if (key === sizesKey) return;
  sizesKey = key;
  L = layout();
  for (const name of ['inputs', 'ints', 'work', 'grads']) {
    gpu[name]?.destroy();
    gpu[name] = device.createBuffer({ size: bytes(L.size[name]), usage: STORAGE | COPY_SRC | COPY_DST });
  }
  bindGroups.clear();
}

// A pipeline per kernel, created the first time a program runs, with the bindings the kernel declares.
async function prepare(kernels) {
  const fresh = kernels.filter(([entry]) => !pipelines.has(entry));
  await Promise.all(fresh.map(async ([entry, bindings]) => {
    const bindGroupLayout = device.createBindGroupLayout({
      entries: bindings.map(([binding, , type]) => ({ binding, visibility: COMPUTE, buffer: { type } })),
    });
    const pipeline = await device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [bindGroupLayout] }),
      compute: { module, entryPoint: entry },
    });
    pipelines.set(entry, { pipeline, bindGroupLayout });
  }));
}

function bindGroup(entry, bindings) {
  let group = bindGroups.get(entry);
  if (!group) {
    group = device.createBindGroup({
      layout: pipelines.get(entry).bindGroupLayout,
      entries: bindings.map(([binding, name]) => ({ binding, resource: { buffer: gpu[name] } })),
    });
    bindGroups.set(entry, group);
  }
  return group;
}

// Encodes the kernels in a compute pass, then the copies of what is asked for, then
// the kernels of \`after\` in a second pass (step's update: the loss is read before it);
// one command buffer; maps what was asked for.
async function submit(kernels, reads, after = []) {
  await prepare([...kernels, ...after]);
  const total = reads.reduce((n, [, , size]) => n + size, 0);
  if (total * 4 > stagingBytes) {
    staging?.destroy();
    stagingBytes = total * 4;
    staging = device.createBuffer({ size: stagingBytes, usage: MAP_READ | COPY_DST });
  }
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  dispatch(encoder, kernels);
  let offset = 0;
  for (const [name, at, size] of reads) {
    if (size) encoder.copyBufferToBuffer(gpu[name], at * 4, staging, offset * 4, size * 4);
    offset += size;
  }
  if (after.length) dispatch(encoder, after);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(\`WebGPU: \${error.message}\`);
  if (!total) return new Float32Array(0);
  await staging.mapAsync(MAP_MODE_READ, 0, total * 4);
  const out = new Float32Array(staging.getMappedRange(0, total * 4).slice(0));
  staging.unmap();
  return out;
}

function dispatch(encoder, kernels) {
  const pass = encoder.beginComputePass();
  for (const [entry, bindings, groups] of kernels) {
    const [x, y = 1] = groups();
    if (x === 0 || y === 0) continue;
    pass.setPipeline(pipelines.get(entry).pipeline);
    pass.setBindGroup(0, bindGroup(entry, bindings));
    pass.dispatchWorkgroups(x, y);
  }
  pass.end();
}

// Calls run one at a time: a read-back maps the one staging buffer.
let busy = Promise.resolve();
let disposed = false;
function serial(f) {
  const result = busy.then(() => {
    if (disposed) throw new Error('this model was disposed: create another');
    return f();
  });
  busy = result.catch(() => {});
  return result;
}

// dispose(): frees the model's GPU buffers once the calls already made are done
// (the device stays the caller's); any later call is an error.
function dispose() {
  const result = busy.then(() => {
    if (disposed) return;
    disposed = true;
    for (const b of Object.values(gpu)) b?.destroy();
    staging?.destroy();
    staging = undefined;
    stagingBytes = 0;
    bindGroups.clear();
    pipelines.clear();
  });
  busy = result.catch(() => {});
  return result;
}

// Writes a program's inputs (checked by its bind function) and the uniform.
function upload(arrays, rate = {}) {
  resize();
  uploadParams();
  for (const [name, array] of arrays) {
    const [buffer, at] = L.inputs[name];
    device.queue.writeBuffer(gpu[buffer], at * 4, array.buffer, array.byteOffset, array.byteLength);
  }
  writeRun(rate);
}

/** Reads a scalar or a tensor out of a read-back: a number, or a view of it. */
function pick(out, at, size, scalar) {
  return scalar ? out[at] : out.subarray(at, at + size);
}`;
