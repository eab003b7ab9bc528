// Preloaded (node --require) by production-start.test.ts: on SIGUSR2, writes the files loaded so far
// (require.cache) to $LOADED_MODULES_OUT as a JSON array.
'use strict';
process.on('SIGUSR2', () => {
  require('node:fs').writeFileSync(process.env.LOADED_MODULES_OUT, JSON.stringify(Object.keys(require.cache)));
});
