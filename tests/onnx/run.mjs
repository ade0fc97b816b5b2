// Runs an ONNX model in ONNX Runtime (onnxruntime-node) on the samples of a CSV file (a label
// column first, as bpnn predict reads) and writes one CSV row of outputs per sample.
// Usage: node run.mjs MODEL.onnx DATA.csv OUT.csv DIM... (the per-sample input shape) [--output NAME]
// (the graph's output of that name; default its first)
import { readFileSync, writeFileSync } from "node:fs";
import ort from "onnxruntime-node";

const args = process.argv.slice(2);
const named = args.indexOf("--output");
const outputName = named >= 0 ? args.splice(named, 2)[1] : undefined;
const [model, data, out, ...dims] = args;
const shape = dims.map(Number);
const rows = readFileSync(data, "utf8").trim().split("\n").map((line) => line.split(",").slice(1).map(Number));
const size = shape.reduce((a, b) => a * b, 1);
const input = new Float32Array(rows.length * size);
rows.forEach((row, n) => {
  if (row.length !== size) throw new Error(`row ${n} has ${row.length} values, the input needs ${size}`);
  input.set(row, n * size);
});
const session = await ort.InferenceSession.create(model);
const result = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", input, [rows.length, ...shape]) });
const y = result[outputName ?? session.outputNames[0]];
if (!y) throw new Error(`no output ${outputName}; the graph's are ${session.outputNames.join(", ")}`);
if (y.dims[0] !== rows.length) throw new Error(`output batch ${y.dims[0]}, input batch ${rows.length}`);
const width = y.data.length / rows.length;
const lines = [];
for (let n = 0; n < rows.length; ++n) lines.push(Array.from(y.data.slice(n * width, (n + 1) * width), (v) => v.toPrecision(9)).join(","));
writeFileSync(out, lines.join("\n") + "\n");
console.log(`onnxruntime ${ort.env.versions?.common ?? ""}: ${rows.length} samples, outputs [${y.dims.join(", ")}]`);
