// Node's own import(), kept in a plain module that test runners leave untransformed (they rewrite
// import() in source files to load through their own pipeline, which would bypass the hooks in
// ts-config-hooks.mjs and test another path than the CLI takes).
export function importConfig(url) {
  return import(url);
}
