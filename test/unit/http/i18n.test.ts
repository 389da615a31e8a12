import { clientMessages, translator } from '../../../src/http/i18n/messages';

describe('UI dictionary', () => {
  it('fills placeholders in both languages', () => {
    expect(translator('fr')('nav.signedInAs', { name: 'bob' })).toBe('Connecté·e : bob');
    expect(translator('en')('queue.count', { n: 3 })).toBe('3 shown');
  });

  it('gives the browser script the same keys in both languages', () => {
    expect(Object.keys(clientMessages('fr'))).toEqual(Object.keys(clientMessages('en')));
    for (const value of Object.values(clientMessages('en'))) expect(value).toBeTruthy();
  });
});
