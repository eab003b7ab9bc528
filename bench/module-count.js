// Preloaded (node -r) by bench/startup.ts in a separate, untimed run: on SIGUSR2 it writes how many modules
// are loaded (require.cache) and from which packages to $MODULE_COUNT_OUT.
'use strict';
process.on('SIGUSR2', () => {
  const byPackage = {};
  const keys = Object.keys(require.cache);
  for (const k of keys) {
    const m = k.match(/node_modules\/((@[^/]+\/)?[^/]+)/g);
    const p = m ? m[m.length - 1].replace('node_modules/', '') : '(project)';
    byPackage[p] = (byPackage[p] || 0) + 1;
  }
  require('fs').writeFileSync(process.env.MODULE_COUNT_OUT, JSON.stringify({ total: keys.length, byPackage }));
});
