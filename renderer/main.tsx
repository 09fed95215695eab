import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { startStudio } from './hooks/use-studio.js';
import './styles.css';

// The host is asked for what the first screen needs before React draws it.
startStudio();
createRoot(document.getElementById('root')!).render(<App />);
