// require('archc') lands here: archc is an ES module (it loads its engines with import()), so
// CommonJS code reaches it through a dynamic import instead.
throw new Error(
  "archc is an ES module and cannot be loaded with require(). Use `import { compile } from 'archc'` " +
    "in an ES module (a .mjs file, or \"type\": \"module\" in package.json), or " +
    "`const { compile } = await import('archc')` from CommonJS.",
);
