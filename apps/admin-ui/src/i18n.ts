/**
 * The back office speaks Russian; the shell's words go through i18next like the cashier UI's, so a
 * second language is a dictionary away. Screen texts are written in Russian where they are used.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

export const ru = {
  nav: {
    overview: 'Обзор',
    desks: 'Кассы и пункты',
    people: 'Сотрудники',
    catalogs: 'Справочники',
    billing: 'Лицевые счета',
    imports: 'Загрузка и выгрузка',
    review: 'Разбор',
    reports: 'Отчёты',
    audit: 'Аудит',
    apikeys: 'API-ключи',
    logout: 'Выйти',
  },
  roles: { admin: 'администратор', senior_cashier: 'старший кассир', cashier: 'кассир', integrator: 'интегратор' },
  common: {
    save: 'Сохранить',
    cancel: 'Отмена',
    close: 'Закрыть',
    loading: 'Загрузка…',
    empty: 'Пусто',
    search: 'Поиск',
    refresh: 'Обновить',
    create: 'Создать',
    edit: 'Изменить',
  },
};

void i18n
  .use(initReactI18next)
  .init({ resources: { ru: { translation: ru } }, lng: 'ru', fallbackLng: 'ru', interpolation: { escapeValue: false } });

export default i18n;
