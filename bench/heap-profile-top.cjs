// The largest allocators of a .heapprofile (bench/alloc-sample.cjs): self bytes per function, a builtin (sort, Map set)
// charged to its caller. Usage: node bench/heap-profile-top.cjs FILE
const p = JSON.parse(require("fs").readFileSync(process.argv[2]));
const by = new Map(); let total = 0;
const nm = (n) => `${n.callFrame.functionName||"(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`;
const walk = (n, parent) => { const own = n.callFrame.url === "" ? `${n.callFrame.functionName} <- ${parent}` : nm(n); if (n.selfSize) { by.set(own, (by.get(own)||0)+n.selfSize); total+=n.selfSize; } for (const c of n.children) walk(c, n.callFrame.url === "" ? parent : nm(n)); };
walk(p.head, "root");
console.log("total MB", (total/1e6).toFixed(1));
[...by].sort((a,b)=>b[1]-a[1]).slice(0,40).forEach(([k,v])=>console.log((v/total*100).toFixed(1).padStart(5)+"%", k));
