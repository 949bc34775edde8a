import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { settingsStore } from './lib/stores/settings.svelte';

// Theme and language before the first paint (defaults until the settings arrive).
settingsStore.apply();

const app = mount(App, { target: document.getElementById('app')! });

export default app;
