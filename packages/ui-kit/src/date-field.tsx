/**
 * A date typed as a person in Russia writes it, ДД.ММ.ГГГГ, whatever the browser's language: a native
 * date input follows the browser's locale and showed 11/28/2026 on an English Chromium. The value
 * going in and out is the ISO day (YYYY-MM-DD, or '' for none); ↑/↓ move a valid date by a day.
 */
import { TextInput, type TextInputProps } from '@mantine/core';
import { useEffect, useState } from 'react';
import { parseRuDate } from './format.ts';

const shown = (iso: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : '');

function plusDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

type Props = Omit<TextInputProps, 'value' | 'onChange' | 'type'> & {
  value: string;
  onChange: (iso: string) => void;
  /** An empty field is a value ('' out) rather than an error. */
  optional?: boolean;
};

export function DateField({ value, onChange, optional, error, onBlur, onKeyDown, ...rest }: Props) {
  const [text, setText] = useState(shown(value));
  const [touched, setTouched] = useState(false);
  // A value set from outside (a preset, a reset) replaces what is typed unless it is the same day.
  useEffect(() => {
    setText((t) => (parseRuDate(t) === value ? t : shown(value)));
  }, [value]);
  const parsed = parseRuDate(text);
  const wrong = touched && text.trim() !== '' && parsed === null;
  const missing = touched && text.trim() === '' && !optional;
  return (
    <TextInput
      {...rest}
      inputMode="numeric"
      placeholder="ДД.ММ.ГГГГ"
      maxLength={10}
      value={text}
      error={error ?? (wrong ? 'Дата как 28.11.2026' : missing ? 'Введите дату' : undefined)}
      onChange={(e) => {
        const next = e.currentTarget.value;
        setText(next);
        const iso = parseRuDate(next);
        if (iso) onChange(iso);
        else if (next.trim() === '' && optional) onChange('');
      }}
      onBlur={(e) => {
        setTouched(true);
        onBlur?.(e);
      }}
      onKeyDown={(e) => {
        if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && parsed) {
          e.preventDefault();
          const next = plusDays(parsed, e.key === 'ArrowUp' ? 1 : -1);
          setText(shown(next));
          onChange(next);
        }
        onKeyDown?.(e);
      }}
    />
  );
}
