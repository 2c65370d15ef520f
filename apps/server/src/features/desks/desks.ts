/**
 * Desks and their enrollment. An administrator creates a desk and gets a one-time code; the desk
 * trades the code for its key and a new epoch. Keys are stored hashed; revoking one refuses it at
 * once; enrolling again (a reinstalled desk) bumps the epoch, which fences the old installation.
 */
import { randomUUID } from 'node:crypto';
import { AppError, type EnrollResponse } from '@paydesk/protocol';
import type { Database } from '../../db/database.ts';
import { newDeskKey, newEnrollmentCode, normalizeEnrollmentCode, sha256 } from '../../security/secrets.ts';
import { appendAudit, type AuditEntry } from '../audit/audit-log.ts';

export interface Actor {
  type: AuditEntry['actorType'];
  id: string | null;
}

export async function createDesk(
  db: Database,
  input: { name: string; pointCode?: string; pointId?: string },
  actor: Actor,
  enrollmentHours: number,
  now = new Date(),
): Promise<{ deskId: string; enrollmentCode: string; expiresAt: string }> {
  return db.transaction().execute(async (trx) => {
    const point = input.pointId
      ? await trx.selectFrom('points').select(['id', 'code']).where('id', '=', input.pointId).executeTakeFirst()
      : input.pointCode
        ? await trx.selectFrom('points').select(['id', 'code']).where('code', '=', input.pointCode).executeTakeFirst()
        : await trx.selectFrom('points').select(['id', 'code']).orderBy('created_at').limit(1).executeTakeFirst();
    if (!point) throw new AppError('not_found', input.pointCode ? `Пункт ${input.pointCode} не найден` : 'Сначала создайте пункт приёма');
    const deskId = randomUUID();
    const code = newEnrollmentCode();
    const expiresAt = new Date(now.getTime() + enrollmentHours * 3_600_000);
    await trx
      .insertInto('desks')
      .values({
        id: deskId,
        point_id: point.id,
        name: input.name,
        key_hash: null,
        enrollment_code_hash: sha256(normalizeEnrollmentCode(code)),
        enrollment_expires_at: expiresAt,
        revoked_at: null,
        last_seen_at: null,
        last_push_at: null,
        status: null,
        status_at: null,
      })
      .execute();
    await appendAudit(
      trx,
      { actorType: actor.type, actorId: actor.id, action: 'desk.create', target: deskId, details: { name: input.name, point: point.code } },
      now,
    );
    return { deskId, enrollmentCode: code, expiresAt: expiresAt.toISOString() };
  });
}

/** A new one-time code for an existing desk (a reinstall): enrolling with it fences the old epoch. */
export async function reissueEnrollment(
  db: Database,
  deskId: string,
  actor: Actor,
  enrollmentHours: number,
  now = new Date(),
): Promise<{ deskId: string; enrollmentCode: string; expiresAt: string }> {
  const code = newEnrollmentCode();
  const expiresAt = new Date(now.getTime() + enrollmentHours * 3_600_000);
  const r = await db
    .updateTable('desks')
    .set({ enrollment_code_hash: sha256(normalizeEnrollmentCode(code)), enrollment_expires_at: expiresAt })
    .where('id', '=', deskId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found', 'Касса не найдена');
  await appendAudit(db, { actorType: actor.type, actorId: actor.id, action: 'desk.reissue_code', target: deskId }, now);
  return { deskId, enrollmentCode: code, expiresAt: expiresAt.toISOString() };
}

export async function enrollDesk(
  db: Database,
  enrollmentCode: string,
  requestedEpoch: number | undefined,
  now = new Date(),
): Promise<EnrollResponse> {
  return db.transaction().execute(async (trx) => {
    const desk = await trx
      .selectFrom('desks')
      .select(['id', 'point_id', 'name', 'epoch', 'enrollment_expires_at'])
      .where('enrollment_code_hash', '=', sha256(normalizeEnrollmentCode(enrollmentCode)))
      .forUpdate()
      .executeTakeFirst();
    if (!desk || !desk.enrollment_expires_at || desk.enrollment_expires_at.getTime() <= now.getTime()) {
      throw new AppError(
        'enroll.code_invalid',
        'Код регистрации неверен, уже использован или истёк: попросите администратора выдать новый',
      );
    }
    const epoch = Math.max(desk.epoch + 1, requestedEpoch ?? 0);
    const key = newDeskKey();
    await trx
      .updateTable('desks')
      .set({
        key_hash: sha256(key),
        epoch,
        last_seq: 0,
        enrollment_code_hash: null,
        enrollment_expires_at: null,
        revoked_at: null,
        last_seen_at: now,
      })
      .where('id', '=', desk.id)
      .execute();
    await appendAudit(trx, { actorType: 'desk', actorId: desk.id, action: 'desk.enroll', target: desk.id, details: { epoch } }, now);
    return { deskId: desk.id, deskKey: key, epoch, pointId: desk.point_id, name: desk.name };
  });
}

export async function revokeDesk(db: Database, deskId: string, actor: Actor, now = new Date()): Promise<void> {
  const r = await db
    .updateTable('desks')
    .set({ revoked_at: now, enrollment_code_hash: null, enrollment_expires_at: null })
    .where('id', '=', deskId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new AppError('not_found', 'Касса не найдена');
  await appendAudit(db, { actorType: actor.type, actorId: actor.id, action: 'desk.revoke', target: deskId }, now);
}
