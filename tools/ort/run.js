// run.js — runs an ONNX model with ONNX Runtime (onnxruntime-node, CPU) on
// inputs read from raw little-endian files, writes the outputs the same way
// and reports latencies. The reference and benchmark peer for glimpse's
// ONNX engine (spec/nn/onnx_paddle_spec.lua, bench/cases/onnx.lua).
//
//   ORT_DIR=build/ort node tools/ort/run.js job.json
//
// job.json:
//   { "model": "m.onnx",
//     "threads": [1, 2],            // one session per count (intra-op threads)
//     "warmup": 3, "reps": 20,      // timed runs per thread count (0: run once)
//     "inputs": [{"name": "x", "file": "x.bin", "shape": [1, 3, 8, 8],
//                 "dtype": "float32"}],
//     "optimization": "all",        // optional: ORT graph optimisation level
//                                   // ("disabled", "basic", "extended", "all")
//     "profile": true,              // optional: ORT's per-op-type time (ms per
//                                   // run, over the timed runs of the first
//                                   // thread count) in the report's "profile"
//     "out_dir": "dir" }            // optional: write <out_dir>/<output name>.bin
//                                   // (from the first thread count's last run)
// Prints one JSON object: {"version", "results": [{"threads", "median_ms",
// "min_ms", "times_ms"}], "outputs": [{"name", "shape", "dtype", "file"}]}.
//
// Serve mode, for interleaving with another engine's runs in one benchmark:
//   ORT_DIR=build/ort node tools/ort/run.js --serve job.json
// creates one session per thread count, then reads commands from stdin, one a
// line: "run <threads> <reps>" answers one JSON line {"threads", "times_ms"}
// on stdout; "quit" (or end of input) ends. The first line printed is
// {"ready": true, "version": ...} once the sessions are warm.
// Sessions run sequentially with one inter-op thread and all graph
// optimisations, ORT's defaults for a CPU latency measurement.
'use strict';
const fs = require('fs');
const path = require('path');

const ortDir = process.env.ORT_DIR || path.join('build', 'ort');
const ort = require(path.resolve(ortDir, 'node_modules', 'onnxruntime-node'));

const ARRAYS = {
  float32: Float32Array, int64: BigInt64Array, int32: Int32Array,
  uint8: Uint8Array, int8: Int8Array, bool: Uint8Array,
};

function readTensor(spec) {
  const Ctor = ARRAYS[spec.dtype];
  if (!Ctor) throw new Error(`input ${spec.name}: unsupported dtype ${spec.dtype}`);
  const buf = fs.readFileSync(spec.file);
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (buf.length !== count * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`input ${spec.name}: ${buf.length} bytes for shape [${spec.shape}] ${spec.dtype}`);
  }
  const data = new Ctor(count);
  new Uint8Array(data.buffer).set(buf);
  return new ort.Tensor(spec.dtype, data, spec.shape);
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  return s[(s.length - 1) >> 1];
}

function makeSession(job, threads, profilePrefix) {
  const opts = {
    intraOpNumThreads: threads, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: job.optimization || 'all',
  };
  if (profilePrefix) Object.assign(opts, { enableProfiling: true, profileFilePrefix: profilePrefix });
  return ort.InferenceSession.create(job.model, opts);
}

// ORT's profile (a Chrome trace) -> ms per run by op type, over the last
// `reps` model runs (the warm-ups before them are left out).
function profileByOp(file, reps) {
  const events = JSON.parse(fs.readFileSync(file, 'utf8'));
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts).slice(-reps);
  if (!runs.length) return {};
  const t0 = runs[0].ts;
  const byOp = {};
  for (const e of events) {
    if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= t0) {
      const op = e.args.op_name;
      byOp[op] = (byOp[op] || 0) + e.dur / 1000 / runs.length;
    }
  }
  return byOp;
}

async function timeRuns(session, feeds, reps) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

async function serve(job) {
  const feeds = {};
  for (const spec of job.inputs) feeds[spec.name] = readTensor(spec);
  const sessions = {};
  for (const t of job.threads || [1]) {
    sessions[t] = await makeSession(job, t);
    for (let i = 0; i < (job.warmup ?? 3); i++) await sessions[t].run(feeds);
  }
  const version = ort.env.versions ? ort.env.versions.common : undefined;
  process.stdout.write(JSON.stringify({ ready: true, version }) + '\n');
  const rl = require('readline').createInterface({ input: process.stdin });
  for await (const line of rl) {
    const m = line.trim().split(/\s+/);
    if (m[0] === 'quit') break;
    if (m[0] !== 'run' || !sessions[m[1]]) {
      process.stdout.write(JSON.stringify({ error: `bad command: ${line}` }) + '\n');
      continue;
    }
    const times = await timeRuns(sessions[m[1]], feeds, Number(m[2]) || 1);
    process.stdout.write(JSON.stringify({ threads: Number(m[1]), times_ms: times }) + '\n');
  }
  for (const t of Object.keys(sessions)) await sessions[t].release();
}

async function main() {
  if (process.argv[2] === '--serve') {
    return serve(JSON.parse(fs.readFileSync(process.argv[3], 'utf8')));
  }
  const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const feeds = {};
  for (const spec of job.inputs) feeds[spec.name] = readTensor(spec);
  const threads = job.threads || [1];
  const warmup = job.warmup ?? 3;
  const reps = job.reps ?? 0;
  const report = { version: ort.env.versions ? ort.env.versions.common : undefined,
                   results: [], outputs: [] };
  for (let ti = 0; ti < threads.length; ti++) {
    const prefix = job.profile && ti === 0
      ? path.join(require('os').tmpdir(), `glimpse-ort-profile-${process.pid}`) : null;
    const session = await makeSession(job, threads[ti], prefix);
    let out;
    for (let i = 0; i < warmup; i++) out = await session.run(feeds);
    const times = await timeRuns(session, feeds, reps);
    if (prefix) {
      const file = session.endProfiling ? session.endProfiling() : undefined;
      const dir = path.dirname(prefix);
      const found = file || fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(prefix)))
        .map((f) => path.join(dir, f))[0];
      if (found) {
        report.profile = profileByOp(found, Math.max(reps, 1));
        fs.unlinkSync(found);
      }
    }
    out = await session.run(feeds);
    if (ti === 0 && job.out_dir) {
      fs.mkdirSync(job.out_dir, { recursive: true });
      for (const name of session.outputNames) {
        const t = out[name];
        const file = path.join(job.out_dir, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.bin');
        fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        report.outputs.push({ name, shape: t.dims, dtype: t.type, file });
      }
    }
    report.results.push({ threads: threads[ti], median_ms: reps ? median(times) : null,
                          min_ms: reps ? Math.min(...times) : null, times_ms: times });
    await session.release();
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ort: ${e.message}\n`);
  process.exit(1);
});
