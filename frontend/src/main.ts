import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { settingsStore } from './lib/stores/settings.svelte';

// Every module is loaded and run: a milestone of the start-up log ("console: ready").
performance.mark('modules');

// Theme before the first paint; the browser's language as soon as its catalog is loaded
// (defaults until the settings arrive).
void settingsStore.apply();

const app = mount(App, { target: document.getElementById('app')! });

export default app;
