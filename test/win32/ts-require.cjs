// A TypeScript require hook for Node under Wine (test/win32/run.sh): tsx cannot run there, since
// esbuild's Windows binary needs bcryptprimitives.dll's ProcessPrng, which Wine 8.0 lacks. Each
// .ts file is transpiled alone (no type check, as tsx does) by TypeScript 5's transpileModule
// (run.sh fetches it into SENTENCEKIT_TS_COMPILER: the project's TypeScript 7 has no JavaScript
// API), and a relative './x.js' that does not exist resolves to './x.ts', as NodeNext resolves.
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const ts = require(process.env.SENTENCEKIT_TS_COMPILER);

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (error) {
    if (!/^\.\.?[\\/]/.test(request) || !/\.[cm]?js$/.test(request)) throw error;
    return resolve.call(this, request.replace(/\.([cm]?)js$/, '.$1ts'), parent, ...rest);
  }
};
