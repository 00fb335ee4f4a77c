import { readMessageBody } from './body-reader';

describe('readMessageBody', () => {
  it('reads JSON, form fields and plain text', () => {
    expect(readMessageBody(Buffer.from('{"text":"hi"}'), 'application/json; charset=utf-8')).toEqual({ text: 'hi' });
    expect(readMessageBody(Buffer.from('text=hi+there&bot=x'), 'application/x-www-form-urlencoded')).toEqual({ text: 'hi there', bot: 'x' });
    expect(readMessageBody(Buffer.from('plain words'), 'text/plain')).toEqual({ text: 'plain words' });
  });

  it('says where malformed JSON breaks', () => {
    expect(() => readMessageBody(Buffer.from('{\n  "text": "hi",\n  oops\n}'), 'application/json')).toThrow(/line 3, column 3/);
    expect(() => readMessageBody(Buffer.from(''), 'application/json')).toThrow(/empty/);
    expect(() => readMessageBody(Buffer.from('[1,2]'), 'application/json')).toThrow(/must be an object/);
  });

  it('refuses other media types', () => {
    expect(() => readMessageBody(Buffer.from('<x/>'), 'application/xml')).toThrow(/not accepted/);
  });
});
