#!/usr/bin/env node
// The `zapgate` command (npx zapgate …). A shim checked in with its executable bit, so the
// bin npm links at install time works as soon as `npm run build` has made dist/.
'use strict';
require('../dist/main.js')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
