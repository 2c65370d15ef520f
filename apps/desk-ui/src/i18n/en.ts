import type { Dictionary } from './ru.ts';

/** English, the second language. */
export const en: Dictionary = {
  app: { title: 'Paydesk — desk', loading: 'Loading…' },
  nav: { billing: 'Payments', thirdParty: 'Third parties', readings: 'Meter readings', journal: 'Journal', reports: 'Reports', register: 'Register', settings: 'Settings', logout: 'Sign out' },
  login: {
    title: 'Sign in', login: 'Login', password: 'Password', submit: 'Sign in', offlineHint: 'Sign-in works without the server too.',
    notEnrolled: 'This desk is not enrolled with the server yet.', enrollTitle: 'Enroll the desk', serverUrl: 'Server address', code: 'Enrollment code', enroll: 'Enroll',
    referenceLoading: 'Loading reference data from the server: {{rows}} rows…',
  },
  status: {
    online: 'Online', onlinePending: 'Online, sending', offline: 'Offline', unsent: 'Unsent: {{count}}', oldest: 'oldest {{age}}', lastSync: 'Synced {{time}}',
    never: 'never', shiftClosed: 'Shift closed', shift: 'Shift {{number}}', shiftLeft: '{{left}} left', shiftExpired: 'Shift expired!',
    register: { ready: 'Register ready', attention: 'Register: attention', unavailable: 'Register not answering', reconciling: 'Register: reconciling' },
  },
  offline: {
    title: 'Server unreachable', text: 'The desk works offline: take payments as usual. Every operation is kept on the desk and sent automatically when the link returns.',
    ok: 'Got it (Enter)', back: 'Back online', backText: 'Sending operations to the server again.',
  },
  banners: {
    paper_out: 'The register is out of paper.', cover_open: 'The register cover is open.', receipt_open: 'A receipt is left open — cancel it in the Register menu.',
    shift_expired: 'The shift is over 24 hours — print the Z report and open a new shift (F9).', fn_expiring: 'The fiscal drive expires soon — call service.',
    ofd_backlog: 'Documents have not reached the OFD for long — check the register’s internet: the drive blocks after 30 days.', unavailable: 'The register does not answer. Check power and cable.',
    reconciling: 'The desk is reconciling an unfinished operation with the register. Do not take money twice.', fatal: 'Sync stopped: {{message}}', rejected: 'The server rejected {{count}} operations — see the Journal.',
    reference: 'Loading reference data: {{rows}} rows, about {{remaining}} left. The desk works with what is loaded.',
  },
  billing: {
    title: '{{name}} payments', searchPlaceholder: 'Account number, unified account, address or name — or scan a bill', noResults: 'Nothing found',
    closed: 'closed', owner: 'Payer', address: 'Address', account: 'Account', els: 'Unified account', service: 'Service', supplier: 'Supplier', period: 'Period', debt: 'Debt',
    penalty: 'Penalty', toPay: 'To pay', penaltyToPay: 'Penalty to pay', total: 'Total', totalHint: 'One sum — spread across the debts', commission: 'Commission', grandTotal: 'Total to pay',
    commissionNone: 'No commission', commissionShare: 'on {{base}}', commissionTooBig: 'more than the supplier gets', withCommission: 'Total with commission',
    meters: 'Meters', lastReading: 'Last reading', recent: 'Recent payments at this desk', noDebts: 'No charges',
    advance: 'paid ahead {{sum}}', qrSum: 'Sum on the bill: {{sum}}', qrSumConfirm: 'The bill writes the sum in rubles — check it', back: 'Back (Esc)',
  },
  pay: {
    method: 'Method', cash: 'Cash', card: 'Card', toggleHint: '“*” — cash/card', tendered: 'Tendered', tenderedHint: 'Empty — exact amount', change: 'Change',
    accept: 'Accept (Enter)', accepting: 'Printing the receipt…', done: 'Payment accepted', receipt: 'Receipt', next: 'Next payer (Enter)', number: 'Payment {{number}}',
    failed: 'Payment not accepted', retry: 'Retry (Enter)', retrySame: 'Enter retries this same payment — there will not be a second; changes to the sum apply once its outcome is known.', notPrinted: 'The receipt is fiscalised but not printed: load paper and press “Continue printing” in the Register menu.', short: '{{sum}} short',
  },
  thirdParty: {
    title: 'Third parties', search: 'Find a provider', account: 'Number', amount: 'Amount', check: 'Check (F7)', checking: 'Checking with the provider…', subscriber: 'Subscriber', balance: 'Balance',
    checkOffline: 'Offline: the number cannot be checked', services: 'Point services', quantity: 'Qty', price: 'Price', addService: 'Add', example: 'e.g. {{example}}',
    limits: 'from {{min}} to {{max}}', choose: 'Choose a provider or a point service', servicesTitle: 'Price list services', sell: 'Sell (Enter)',
  },
  readings: { title: 'Meter readings', meter: 'Meter', serial: 'No.', last: 'Previous', value: 'New reading', date: 'Date', save: 'Submit (Enter)', saved: 'Reading accepted: {{period}}, consumption {{consumption}}', confirm: 'Confirm and submit', chooseAccount: 'Find the account', verification: 'Verified until {{date}}', noMeters: 'No meters on this account' },
  journal: {
    title: 'Journal', search: 'Payment number, account or phone', all: 'All', payments: 'Payments', unsent: 'Unsent', rejected: 'Rejected by server', time: 'Time', number: 'No.', kind: 'Kind', what: 'What',
    sum: 'Sum', state: 'State', sync: 'Server', details: 'Details', reverse: 'Reverse (Del)', reversed: 'reversed', reason: 'Reason', approval: 'Senior cashier’s approval',
    approvalHint: 'A cashier may reverse only their own payments of the current shift. Let a senior cashier enter their login and password.', doReverse: 'Print the return', forwarding: 'Provider',
  },
  kinds: { billing: 'Utilities', thirdparty: 'Third party', service: 'Service', reversal: 'Reversal', reading: 'Reading', cash_in: 'Cash in', cash_out: 'Cash out', cash_count: 'Cash count', shift_open: 'Shift open', shift_close: 'Shift close' },
  states: { fiscal_pending: 'Reconciling', done: 'Done', failed: 'Failed', pending: 'Queued', applied: 'Accepted', applied_with_review: 'Accepted, in review', rejected: 'Rejected', queued: 'Waiting', held: 'Held for a refund', sent: 'Sent', confirmed: 'Credited', cancelled: 'Cancelled (refunded)' },
  unresolved: {
    title: 'Operations the register has not confirmed', hint: 'Until they are settled the register takes no new operation. Do not take or pay out money for them again.',
    notPrinted: 'fiscalised but not printed — load paper and press “Continue printing”', noAnswer: 'the register did not answer', settle: 'Settle by hand…', askRegister: 'Ask the register again',
    reconciled: 'Settled: {{settled}}, could not: {{unresolved}}', settleTitle: 'Settle by hand: {{what}}',
    settleHint: 'Look at the register: the last document number in an X report or on the tape, the drawer. Say what it shows; the decision is journaled and sent to the server for review.',
    done: 'Done (the register shows a document)', notDone: 'Not done', documentNumber: 'Document number on the register', comment: 'What the register shows', confirm: 'Confirm (senior cashier)',
    kinds: { shift_open: 'Shift opening', shift_close: 'Shift closing', cash_in: 'Cash in', cash_out: 'Cash out', reversal: 'Reversal' },
  },
  register: {
    title: 'Register', openShift: 'Open shift', closeShift: 'Close shift (Z report)', xReport: 'X report', cashIn: 'Cash in', cashOut: 'Cash out (collection)', cancelReceipt: 'Cancel receipt',
    reprint: 'Reprint last receipt', cut: 'Cut tape', continuePrint: 'Continue printing', status: 'Register status', amount: 'Amount', float: 'Opening float', comment: 'Comment',
    shiftAge: 'Shift opened', timeLeft: 'Left of 24 hours', paper: 'Paper', present: 'yes', absent: 'no', fn: 'Fiscal drive valid until', ofd: 'Not sent to OFD', oldestOfd: 'oldest',
    drawer: 'Cash in drawer', unsentWarning: '{{count}} operations are not sent to the server yet. They are kept and will go when the link returns. Close the shift?', closeAnyway: 'Close the shift',
    tape: 'Register tape', done: 'Done', driver: 'Driver',
  },
  reports: {
    title: 'Reports', shift: 'Shift report', pdf: 'PDF', xlsx: 'Excel', print: 'Print on register', printed: 'Printed on the register', count: 'Cash-up',
    open: 'open', closed: 'closed', shiftNumber: 'Shift #', show: 'Show', now: 'now', kind: 'Kind', countCol: 'Count', accepted: 'Accepted', commission: 'Commission',
    reversed: 'Reversed', net: 'Net', noPayments: 'No payments in this shift', providers: 'Third parties', forwarded: 'credited {{confirmed}}, in transit {{pending}}', failed: 'refused: {{count}}',
    reconciliation: 'Journal vs register', journal: 'Journal', register: 'Register', match: 'Journal and register agree to the kopeck.',
    source: { live: 'register counters now', z_report: 'from the Z report', unavailable: 'the register gave no totals' },
    drawer: 'Cash in the drawer', carried: 'Left from the previous shift', float: 'Opening float', salesCash: 'Taken in cash', returnsCash: 'Returned in cash', cashIn: 'Cash in', cashOut: 'Cash out (collection)',
    expected: 'Expected in the drawer', counts: 'Cash-ups', noCounts: 'No cash-ups this shift', counted: 'Counted', difference: 'Difference', countedTotal: 'Counted in total, ₽',
    byFaces: 'By notes and coins', byTotal: 'As a total', recordCount: 'Record the cash-up', countRecorded: 'Cash-up recorded, difference {{difference}}',
    unsent: 'Not sent to the server: {{count}}.', rejected: 'Rejected by the server: {{count}}.', pending: 'Unfinished operations: {{count}}.',
    journalExport: 'Journal for a period', from: 'From', to: 'To', format: 'Format', export: 'Export',
  },
  settings: { title: 'Desk settings', server: 'Server', sync: 'Send every, s', pull: 'Reference data every, s', driver: 'Register', url: 'Register address', save: 'Save', saved: 'Saved', restart: 'A new register takes effect after the desk restarts', language: 'Language', adminOnly: 'Only an administrator may change settings' },
  common: { cancel: 'Cancel (Esc)', ok: 'OK', close: 'Close', yes: 'Yes', no: 'No', error: 'Error', rub: '₽', loading: 'Loading…', enterHint: 'Enter — next, Esc — back', empty: 'Empty' },
};
