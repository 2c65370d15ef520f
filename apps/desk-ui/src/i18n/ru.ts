/** Русский — язык кассы по умолчанию. Каждая строка интерфейса — здесь. */
export const ru = {
  app: { title: 'Paydesk — касса', loading: 'Загрузка…' },
  nav: { billing: 'Платежи', thirdParty: 'Третьи лица', readings: 'Показания ПУ', journal: 'Журнал', reports: 'Отчёты', register: 'ККМ', settings: 'Настройки', logout: 'Выйти' },
  login: {
    title: 'Вход в кассу', login: 'Логин', password: 'Пароль', submit: 'Войти', offlineHint: 'Вход работает и без связи с сервером.',
    notEnrolled: 'Касса ещё не зарегистрирована на сервере.', enrollTitle: 'Регистрация кассы', serverUrl: 'Адрес сервера', code: 'Код регистрации', enroll: 'Зарегистрировать',
    referenceLoading: 'Загружаются справочники с сервера: {{rows}} записей…',
  },
  status: {
    online: 'На связи', onlinePending: 'На связи, отправляется', offline: 'Нет связи', unsent: 'Не отправлено: {{count}}', oldest: 'старейшей {{age}}', lastSync: 'Синхр. {{time}}',
    never: 'ещё не было', shiftClosed: 'Смена закрыта', shift: 'Смена № {{number}}', shiftLeft: 'осталось {{left}}', shiftExpired: 'Смена истекла!',
    register: { ready: 'ККТ готова', attention: 'ККТ: внимание', unavailable: 'ККТ не отвечает', reconciling: 'ККТ: сверка' },
  },
  offline: {
    title: 'Нет связи с сервером', text: 'Касса работает автономно: принимайте платежи как обычно. Все операции сохранены на кассе и будут отправлены автоматически, когда связь восстановится.',
    ok: 'Понятно (Enter)', back: 'Связь восстановлена', backText: 'Отправка операций на сервер возобновлена.',
  },
  banners: {
    paper_out: 'В ККТ закончилась бумага. Заправьте ленту.', cover_open: 'Открыта крышка ККТ.', receipt_open: 'В ККТ открыт чек — отмените его в меню «ККМ».',
    shift_expired: 'Смена длится больше 24 часов — снимите Z-отчёт и откройте новую смену (F9).', fn_expiring: 'Фискальный накопитель скоро закончится — вызовите сервис.',
    ofd_backlog: 'Документы давно не передаются в ОФД — проверьте интернет ККТ: через 30 дней ФН заблокируется.', unavailable: 'ККТ не отвечает. Проверьте питание и кабель.',
    reconciling: 'Касса сверяет с ККТ незавершённую операцию. Не принимайте деньги повторно.', fatal: 'Синхронизация остановлена: {{message}}', rejected: 'Сервер не принял операций: {{count}} — см. Журнал.',
    reference: 'Загрузка справочников: {{rows}} записей, осталось около {{remaining}}. Касса работает с тем, что уже загружено.',
  },
  billing: {
    title: 'Платежи {{name}}', searchPlaceholder: 'Номер счёта, ЕЛС, адрес («ленина 10 5») или ФИО — или отсканируйте квитанцию', noResults: 'Ничего не найдено',
    closed: 'закрыт', owner: 'Плательщик', address: 'Адрес', account: 'Лицевой счёт', els: 'ЕЛС', service: 'Услуга', supplier: 'Поставщик', period: 'Период', debt: 'Долг',
    penalty: 'Пени', toPay: 'К оплате', penaltyToPay: 'Пени к оплате', total: 'Итого', totalHint: 'Сумма одним числом — распределится по долгам', commission: 'Комиссия', grandTotal: 'К оплате всего',
    commissionNone: 'Без комиссии', commissionShare: 'с {{base}}', commissionTooBig: 'больше суммы поставщику', withCommission: 'Всего с комиссией',
    meters: 'Счётчики', lastReading: 'Последнее показание', recent: 'Последние платежи на этой кассе', noDebts: 'Начислений нет',
    advance: 'аванс {{sum}}', qrSum: 'Сумма из квитанции: {{sum}}', qrSumConfirm: 'Сумма в квитанции записана в рублях — проверьте её', back: 'Назад (Esc)',
  },
  pay: {
    method: 'Способ оплаты', cash: 'Наличные', card: 'Карта', toggleHint: '«*» — наличные/карта', tendered: 'Получено', tenderedHint: 'Пусто — без сдачи', change: 'Сдача',
    accept: 'Принять (Enter)', accepting: 'Пробивается чек…', done: 'Платёж принят', receipt: 'Чек', next: 'Следующий плательщик (Enter)', number: 'Платёж № {{number}}',
    failed: 'Платёж не принят', retry: 'Повторить (Enter)', retrySame: 'Enter повторит этот же платёж — второго не будет; изменения суммы применятся после того, как станет известен его исход.', notPrinted: 'Чек пробит, но не напечатан: заправьте бумагу и нажмите «Допечатать» в меню ККМ.', short: 'Не хватает {{sum}}',
  },
  thirdParty: {
    title: 'Третьи лица', search: 'Поиск поставщика', account: 'Номер', amount: 'Сумма', check: 'Проверить (F7)', checking: 'Проверка у поставщика…', subscriber: 'Абонент', balance: 'Баланс',
    checkOffline: 'Нет связи: проверка номера невозможна', services: 'Услуги пункта', quantity: 'Кол-во', price: 'Цена', addService: 'Добавить', example: 'пример: {{example}}',
    limits: 'от {{min}} до {{max}}', choose: 'Выберите поставщика слева или услугу пункта', servicesTitle: 'Услуги по прейскуранту', sell: 'Продать (Enter)',
  },
  readings: { title: 'Показания приборов учёта', meter: 'Счётчик', serial: '№', last: 'Предыдущее', value: 'Новое показание', date: 'Дата', save: 'Передать (Enter)', saved: 'Показание принято: {{period}}, расход {{consumption}}', confirm: 'Подтвердить и передать', chooseAccount: 'Найдите лицевой счёт', verification: 'Поверка до {{date}}', noMeters: 'У счёта нет счётчиков' },
  journal: {
    title: 'Журнал', search: 'Номер платежа, лицевой счёт или телефон', all: 'Все', payments: 'Платежи', unsent: 'Не отправлены', rejected: 'Отказы сервера', time: 'Время', number: '№', kind: 'Вид', what: 'Что',
    sum: 'Сумма', state: 'Состояние', sync: 'Сервер', details: 'Подробно', reverse: 'Сторно (Del)', reversed: 'сторнирован', reason: 'Причина сторно', approval: 'Подтверждение старшего кассира',
    approvalHint: 'Кассир может сторнировать только свои платежи текущей смены. Пусть старший кассир введёт свой логин и пароль.', doReverse: 'Пробить возврат', forwarding: 'Поставщик',
  },
  kinds: { billing: 'ЖКУ', thirdparty: 'Третьи лица', service: 'Услуга', reversal: 'Сторно', reading: 'Показание', cash_in: 'Внесение', cash_out: 'Выплата', cash_count: 'Пересчёт', shift_open: 'Открытие смены', shift_close: 'Закрытие смены' },
  states: { fiscal_pending: 'Сверка', done: 'Проведён', failed: 'Ошибка', pending: 'В очереди', applied: 'Принят', applied_with_review: 'Принят, на разборе', rejected: 'Отклонён', queued: 'Ожидает', held: 'Снят для возврата', sent: 'Отправлен', confirmed: 'Зачислен', cancelled: 'Отменён (возврат)' },
  unresolved: {
    title: 'Операции, которые ККТ не подтвердила', hint: 'Пока они не сверены, ККТ не выполняет новых операций. Не принимайте и не выдавайте деньги по ним повторно.',
    notPrinted: 'пробит, но не напечатан — заправьте ленту и нажмите «Допечатать»', noAnswer: 'ККТ не ответила', settle: 'Сверить вручную…', askRegister: 'Спросить ККТ ещё раз',
    reconciled: 'Сверено: {{settled}}, не удалось: {{unresolved}}', settleTitle: 'Сверка вручную: {{what}}',
    settleHint: 'Посмотрите на ККТ: последний документ (ФД) в X-отчёте или на ленте, сумму в ящике. Укажите, что она показывает; решение запишется в журнал и уйдёт на сервер на разбор.',
    done: 'Пробит (ККТ показывает документ)', notDone: 'Не пробит', documentNumber: 'Номер документа (ФД) на ККТ', comment: 'Что показывает ККТ', confirm: 'Подтвердить (старший кассир)',
    kinds: { shift_open: 'Открытие смены', shift_close: 'Закрытие смены', cash_in: 'Внесение', cash_out: 'Выплата', reversal: 'Сторно' },
  },
  register: {
    title: 'ККМ', openShift: 'Открыть смену', closeShift: 'Закрыть смену (Z-отчёт)', xReport: 'X-отчёт', cashIn: 'Внесение', cashOut: 'Выплата (инкассация)', cancelReceipt: 'Отменить чек',
    reprint: 'Повторить последний чек', cut: 'Отрезать ленту', continuePrint: 'Допечатать', status: 'Состояние ККТ', amount: 'Сумма', float: 'Размен на начало смены', comment: 'Комментарий',
    shiftAge: 'Смена открыта', timeLeft: 'До конца 24 часов', paper: 'Бумага', present: 'есть', absent: 'нет', fn: 'ФН действителен до', ofd: 'Не отправлено в ОФД', oldestOfd: 'самый старый',
    drawer: 'Наличных в ящике', unsentWarning: 'Не отправлено на сервер операций: {{count}}. Они сохранены и уйдут, когда появится связь. Закрыть смену?', closeAnyway: 'Закрыть смену',
    tape: 'Лента ККТ', done: 'Готово', driver: 'Драйвер',
  },
  reports: {
    title: 'Отчёты', shift: 'Отчёт о смене', pdf: 'PDF', xlsx: 'Excel', print: 'Печать на ККТ', printed: 'Отчёт напечатан на ККТ', count: 'Пересчёт наличных',
    open: 'открыта', closed: 'закрыта', shiftNumber: 'Смена №', show: 'Показать', now: 'сейчас', kind: 'Вид', countCol: 'Кол-во', accepted: 'Принято', commission: 'Комиссия',
    reversed: 'Сторно', net: 'Итого', noPayments: 'Платежей в смене не было', providers: 'Третьи лица', forwarded: 'зачислено {{confirmed}}, в пути {{pending}}', failed: 'отказ: {{count}}',
    reconciliation: 'Сверка журнала с ККТ', journal: 'Журнал', register: 'ККТ', match: 'Журнал и ККТ сходятся до копейки.',
    source: { live: 'счётчики ККТ сейчас', z_report: 'по Z-отчёту', unavailable: 'ККТ не сообщила итоги' },
    drawer: 'Наличные в ящике', carried: 'Остаток с прошлой смены', float: 'Размен на начало смены', salesCash: 'Принято наличными', returnsCash: 'Возвращено наличными', cashIn: 'Внесения', cashOut: 'Выплаты (инкассация)',
    expected: 'Должно быть в ящике', counts: 'Пересчёты', noCounts: 'Пересчётов в смене не было', counted: 'Насчитано', difference: 'Разница', countedTotal: 'Насчитано всего, ₽',
    byFaces: 'По купюрам и монетам', byTotal: 'Итогом', recordCount: 'Записать пересчёт', countRecorded: 'Пересчёт записан, разница {{difference}}',
    unsent: 'Не отправлено на сервер: {{count}}.', rejected: 'Отклонено сервером: {{count}}.', pending: 'Незавершённых операций: {{count}}.',
    journalExport: 'Журнал за период', from: 'С', to: 'По', format: 'Формат', export: 'Выгрузить',
  },
  settings: { title: 'Настройки кассы', server: 'Сервер', sync: 'Отправка, с', pull: 'Загрузка справочников, с', driver: 'ККТ', url: 'Адрес ККТ', save: 'Сохранить', saved: 'Сохранено', restart: 'Смена ККТ применится после перезапуска кассы', language: 'Язык', adminOnly: 'Изменять настройки может администратор' },
  common: { cancel: 'Отмена (Esc)', ok: 'OK', close: 'Закрыть', yes: 'Да', no: 'Нет', error: 'Ошибка', rub: '₽', loading: 'Загрузка…', enterHint: 'Enter — далее, Esc — назад', empty: 'Пусто' },
};

export type Dictionary = typeof ru;
