/**
 * The smallest React 19 app (React and ReactDOM's client, one element): built with the SPA's
 * Vite settings, its gzipped JavaScript is the floor under any React app's first screen.
 */
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')).render(createElement('h1', null, 'Hello'));
