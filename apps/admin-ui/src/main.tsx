import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n.ts';
import { App } from './app.tsx';

const theme = createTheme({
  fontFamily: '"PT Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif',
  primaryColor: 'indigo',
  focusRing: 'always',
  defaultRadius: 'md',
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme}>
        <Notifications position="top-right" />
        <App />
      </MantineProvider>
    </StrictMode>,
  );
}
