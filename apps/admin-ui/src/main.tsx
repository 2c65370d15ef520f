import { mountApp } from '@paydesk/ui-kit/mount';
import './i18n.ts';
import { App } from './app.tsx';

mountApp(<App />, { primaryColor: 'indigo' });
