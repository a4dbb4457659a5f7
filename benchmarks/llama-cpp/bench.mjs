// llama-bench-like timing of llama.cpp on one GGUF file: pp = a prompt of P tokens in one batch, tg = N single-token decodes.
// Usage: node bench.mjs FILE [threads=2] [p=128] [n=64] [reps=3]   (prints one JSON line with medians)
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [path, threadsArg = "2", pArg = "128", nArg = "64", repsArg = "3"] = process.argv.slice(2);
const [threads, p, n, reps] = [threadsArg, pArg, nArg, repsArg].map(Number);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: path, gpuLayers: 0});
const median = values => values.sort((a, b) => a - b)[values.length >> 1];
const pp = [], tg = [];
for (let rep = 0; rep <= reps; rep++) {           // rep 0 warms up
    const context = await model.createContext({contextSize: p + n + 8, threads, batchSize: p, flashAttention: false});
    const sequence = context.getSequence();
    const prompt = Array.from({length: p}, (_, i) => 100 + ((i * 7919) % 20000));
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(prompt);
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await sequence.evaluateWithoutGeneratingNewTokens([300 + i]);
    const t2 = performance.now();
    if (rep > 0) { pp.push(p / ((t1 - t0) / 1000)); tg.push(n / ((t2 - t1) / 1000)); }
    await context.dispose();
}
console.log(JSON.stringify({model: path.split("/").pop(), threads, pp_tokens_per_s: median(pp), tg_tokens_per_s: median(tg)}));
process.exit(0);
