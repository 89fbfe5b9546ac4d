import { describe, expect, it } from 'vitest';
import { passwordStrength, pinProblem } from './password-strength';

describe('password strength hint', () => {
  it('follows the server’s rules', () => {
    expect(passwordStrength('')).toEqual({ strength: 'empty' });
    expect(passwordStrength('short1!')).toEqual({ strength: 'weak', problem: 'tooShort' });
    expect(passwordStrength('aaaaabbbbbb')).toEqual({ strength: 'weak', problem: 'repetitive' });
    expect(passwordStrength('MariaGonzalez1', ['maria.g', 'María González'])).toEqual({ strength: 'weak', problem: 'personal' });
  });

  it('calls a long or varied password strong', () => {
    expect(passwordStrength('correct horse battery staple').strength).toBe('strong');
    expect(passwordStrength('Tr4mpoline!x').strength).toBe('strong');
    expect(passwordStrength('trampolines').strength).toBe('fair');
  });
});

describe('PIN check', () => {
  it('takes 4–8 digits that are not a run or a repeat', () => {
    expect(pinProblem('4821')).toBeNull();
    expect(pinProblem('48213579')).toBeNull();
    expect(pinProblem('123')).toBe('format');
    expect(pinProblem('12a4')).toBe('format');
    expect(pinProblem('123456789')).toBe('format');
    expect(pinProblem('1111')).toBe('guessable');
    expect(pinProblem('3456')).toBe('guessable');
    expect(pinProblem('8765')).toBe('guessable');
  });
});
