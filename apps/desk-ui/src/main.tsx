import { mountApp } from '@paydesk/ui-kit/mount';
import './i18n/index.ts';
import { App } from './app.tsx';

// Large, calm type for a screen looked at all day.
mountApp(<App />, {
  fontSizes: { xs: '13px', sm: '15px', md: '17px', lg: '19px', xl: '22px' },
  primaryColor: 'blue',
});
