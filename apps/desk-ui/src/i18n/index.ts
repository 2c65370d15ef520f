import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { ru } from './ru.ts';

export const LANGUAGES = ['ru', 'en'] as const;

void i18n.use(initReactI18next).init({
  resources: { ru: { translation: ru }, en: { translation: en } },
  lng: localStorage.getItem('paydesk.lang') ?? 'ru',
  fallbackLng: 'ru',
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: 'ru' | 'en'): void {
  localStorage.setItem('paydesk.lang', lang);
  void i18n.changeLanguage(lang);
}

export default i18n;
