// The floor of a React app's JavaScript: React and ReactDOM rendering one element.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')).render(createElement('p', null, 'floor'));
