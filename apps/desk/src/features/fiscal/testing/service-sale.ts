/** What the fiscal runner's tests sell: one photocopy, by one cashier, as the service kind journals it. */
import { v7 as uuidv7 } from 'uuid';
import { composeServiceReceipt } from '@paydesk/domain';
import type { NewOperation } from '../fiscal-runner.ts';

export const testCashier = { id: '0190a0b0-0000-7000-8000-000000000001', name: 'Иванова А.А.', inn: '500100732259' };

export function serviceSale(priceKop = 150_00, opId = uuidv7()): NewOperation {
  const receipt = composeServiceReceipt(
    { operationId: opId, taxSystem: 'usn_income', cashier: { name: testCashier.name, inn: testCashier.inn }, method: 'cash' },
    [{ name: 'Ксерокопия А4', priceKop, quantity: 1, vat: 'none' }],
  );
  const request = {
    kind: 'service',
    method: 'cash',
    tenderedKop: null,
    totalKop: priceKop,
    commissionKop: 0,
    changeKop: 0,
    items: [{ code: 'COPY', name: 'Ксерокопия А4', quantity: 1, priceKop, amountKop: priceKop }],
    warnings: [],
  };
  return {
    opId,
    kind: 'service',
    numbered: true,
    request,
    receipt,
    cashier: testCashier,
    shiftNumber: 1,
    totalKop: priceKop,
    commissionKop: 0,
    method: 'cash',
  };
}
