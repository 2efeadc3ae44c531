import '@mantine/core/styles.css';
import './index.css';
import { boot } from './boot';

// The requests first, then the app. index.html preloads the app's code, so
// it downloads and is parsed off the main thread meanwhile; on a patient's
// page it runs only once the page's first data is in (or after a short
// wait), so that the data's round trips are not held up behind it and the
// first render has all it needs to draw the chart.
const started = boot(location.pathname);
void started.ready.then(() => import('./app')).then(({ startApp }) => startApp(started));
