import { parseCsv } from '../../src/recording/csv';
import { InputError } from '../../src/recording/input-error';

const parse = (text: string, maxRows = 100) => parseCsv(text, { maxRows });

/** The InputError parseCsv throws for `text`. */
function errorOf(text: string, maxRows = 100): InputError {
  try {
    parse(text, maxRows);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected parseCsv to throw');
}

describe('parseCsv: valid files', () => {
  it('parses headers and rows', () => {
    expect(parse('email,password\na@x.io,pw1\nb@x.io,pw2\n')).toEqual({
      headers: ['email', 'password'],
      rows: [
        { email: 'a@x.io', password: 'pw1' },
        { email: 'b@x.io', password: 'pw2' },
      ],
    });
  });

  it('handles quoted commas, escaped quotes and newlines inside quotes', () => {
    const { rows } = parse('name,address\n"Doe, Jane","1 Main St\nApt ""B"""\n');
    expect(rows).toEqual([{ name: 'Doe, Jane', address: '1 Main St\nApt "B"' }]);
  });

  it('strips a UTF-8 BOM so the first header is clean', () => {
    expect(parse('\uFEFFemail,name\nx,y').headers).toEqual(['email', 'name']);
  });

  it('handles CRLF, and mixed line endings', () => {
    expect(parse('a,b\r\n1,2\r\n3,4').rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
    expect(parse('a,b\r\n1,2\n3,4\r5,6\n').rows).toHaveLength(3);
  });

  it('skips empty lines and rows of bare commas', () => {
    expect(parse('\na,b\n\n1,2\n,\n  \n3,4\n\n').rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  it('trims header names but keeps values exactly', () => {
    expect(parse(' email , name\n a@x.io ,"  Ann "\n')).toEqual({
      headers: ['email', 'name'],
      rows: [{ email: ' a@x.io ', name: '  Ann ' }],
    });
  });

  it('keeps empty cells as empty strings', () => {
    expect(parse('a,b,c\n1,,3\n').rows).toEqual([{ a: '1', b: '', c: '3' }]);
  });

  it('treats a __proto__ header as an ordinary column', () => {
    const { rows } = parse('__proto__,b\nx,y\n');
    expect(Object.keys(rows[0])).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it('accepts exactly maxRows rows', () => {
    expect(parse('a\n1\n2\n3\n', 3).rows).toHaveLength(3);
  });
});

describe('parseCsv: errors', () => {
  it.each(['', '   \n\n', '\uFEFF', ',,\n,,\n'])('rejects an empty file (%j)', (text) => {
    expect(errorOf(text).message).toBe('CSV file is empty');
  });

  it('rejects a header without data rows', () => {
    expect(errorOf('email,name\n\n').message).toBe('CSV file has a header row (email, name) but no data rows');
  });

  it('names blank header columns', () => {
    expect(errorOf('email,,name, \n1,2,3,4\n').issues).toEqual(['header of column 2 is blank', 'header of column 4 is blank']);
  });

  it('names duplicate headers and their columns, after trimming', () => {
    const error = errorOf('email,name,email , name,id\n1,2,3,4,5\n');
    expect(error.issues).toEqual(['duplicate header name "email" (columns 1, 3)', 'duplicate header name "name" (columns 2, 4)']);
    expect(error.message).toMatch(/^Invalid CSV header row\n/);
  });

  it('reports a ragged row with its line, row number and expected vs actual count', () => {
    const error = errorOf('a,b,c\n1,2,3\n\n4,5\n');
    expect(error.issues).toEqual(['line 4 (data row 2): expected 3 columns, found 2']);
    expect(error.message).toBe(
      'CSV rows must have the same number of columns as the header (3): line 4 (data row 2): expected 3 columns, found 2',
    );
  });

  it('reports every ragged row, with line ranges for multi-line records', () => {
    const error = errorOf('a,b\n1,2,3\n"x\ny",2,3\r\n4\n');
    expect(error.issues).toEqual([
      'line 2 (data row 1): expected 2 columns, found 3',
      'lines 3-4 (data row 2): expected 2 columns, found 3',
      'line 5 (data row 3): expected 2 columns, found 1',
    ]);
  });

  it('caps the number of ragged rows it lists', () => {
    const error = errorOf('a,b\n' + '1\n'.repeat(25));
    expect(error.issues).toHaveLength(11);
    expect(error.issues[10]).toBe('... and 15 more rows');
  });

  it('rejects more rows than maxRows, naming both numbers and MAX_ROWS_PER_JOB', () => {
    const message = errorOf('a\n1\n2\n3\n4\n', 3).message;
    expect(message).toContain('4 data rows');
    expect(message).toContain('limit of 3');
    expect(message).toContain('MAX_ROWS_PER_JOB');
  });

  it('wraps csv-parse errors such as an unclosed quote', () => {
    expect(errorOf('a,b\n"1,2\n').message).toMatch(/^Invalid CSV: Quote Not Closed/);
  });
});
