import { runStudio } from './studio.js';

// Exit only once stdout has drained, so that piped output is never cut short.
runStudio(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
