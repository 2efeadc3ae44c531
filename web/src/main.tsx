import '@mantine/core/styles.css';
import './index.css';
import { boot } from './boot';

// The requests first, then the app: on a first visit the app's code takes
// longer to download and compile than the first answers take to come.
const started = boot(location.pathname);
void Promise.all([import('./app'), started.codeReady]).then(([{ startApp }]) => startApp(started));
