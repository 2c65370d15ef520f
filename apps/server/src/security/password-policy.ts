/**
 * What a password must be (issue 18 item 4): 8 characters or more, and not one a guesser tries first —
 * checked by zxcvbn-ts against its lists of common passwords, names and keyboard patterns, and against
 * the user's own login and name. A password it scores below 2 ("guessable in hours offline") is refused.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { AppError } from '@paydesk/protocol';

export const MIN_PASSWORD_LENGTH = 8;

let checker: ZxcvbnFactory | null = null;

/** Refuses a password that is short, common or made of the user's own login or name. */
export function checkPasswordPolicy(password: string, userInputs: string[] = []): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('validation.failed', `Пароль не короче ${MIN_PASSWORD_LENGTH} символов`);
  checker ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  const { score } = checker.check(password.slice(0, 100), userInputs.filter(Boolean));
  if (score < 2) {
    throw new AppError(
      'validation.failed',
      'Пароль слишком простой: он из списка частых паролей, клавиатурный узор или составлен из логина или имени. Возьмите фразу из нескольких слов.',
    );
  }
}
