/** Both UIs start the same way: Mantine with the project's type and visible focus for keyboard work, and notifications. */
import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { createTheme, MantineProvider, type MantineThemeOverride } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

export function mountApp(app: ReactNode, theme: MantineThemeOverride = {}): void {
  const root = document.getElementById('root');
  if (!root) return;
  const merged = createTheme({
    fontFamily: '"PT Sans", "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif',
    focusRing: 'always',
    defaultRadius: 'md',
    ...theme,
  });
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={merged}>
        <Notifications position="top-right" />
        {app}
      </MantineProvider>
    </StrictMode>,
  );
}
