// Greedy token ids from llama.cpp for a prompt given as token ids (compare with `hybridai generate --prompt-ids ... --print-ids`).
// Usage: node greedy.mjs FILE COUNT ID [ID ...]
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [path, count, ...prompt] = process.argv.slice(2);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath: path, gpuLayers: 0});
const context = await model.createContext({contextSize: prompt.length + Number(count) + 8, threads: 2, flashAttention: false});
const ids = [];
for await (const token of context.getSequence().evaluate(prompt.map(Number), {temperature: 0})) {
    ids.push(token);
    if (ids.length >= Number(count)) break;
}
console.log("ids: " + ids.join(" "));
process.exit(0);
