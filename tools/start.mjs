// The demo launcher lives in tools/demo once the apps exist; until then say so plainly.
console.error('Paydesk: the demo is not built yet (the server, the desk and their UIs come in later issues).');
process.exit(1);
