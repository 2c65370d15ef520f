/** The desk's answers as the screens use them: the protocol's declarations (one source for the desk and its UI), under the names the screens use. */
export type {
  AccountDetailsView as AccountDetails,
  AccountHitView as AccountHit,
  BillPaymentView as BillPayment,
  AccountSearchAnswer,
  CashierView as Cashier,
  DebtLineView as DebtLine,
  DeskStatus,
  FiscalView as Fiscal,
  MeterView as Meter,
  PaymentQuoteView as Quote,
  PaymentView as PaymentResult,
  ProviderView as Provider,
  ScanView as ScanResult,
} from '@paydesk/protocol';
