/**
 * NDJSON framing: lines split at every byte position give the same frames; an oversize line is
 * reported once, in order, without being buffered whole, and the next line is served.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  LineSplitter,
  OVERSIZE_PREFIX_BYTES,
  type Frame,
} from '../../gateway/ndjson/line-splitter.js';
import { idFromPrefix, parseRequestLine } from '../../gateway/ndjson/request.js';

function render(frames: Frame[]): string[] {
  return frames.map((frame) =>
    frame.kind === 'line' ? `line:${frame.bytes.toString('utf8')}` : 'oversize',
  );
}

function splitAll(input: Buffer, cuts: number[], lineBytesMax: number): string[] {
  const splitter = new LineSplitter(lineBytesMax);
  const frames: Frame[] = [];
  let start = 0;
  for (const cut of [...cuts.sort((a, b) => a - b), input.length]) {
    frames.push(...splitter.push(input.subarray(start, cut)));
    start = cut;
  }
  frames.push(...splitter.end());
  return render(frames);
}

describe('gateway: NDJSON line splitter', () => {
  it('splits lines, drops \\r before \\n and skips blank lines', () => {
    const input = Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n{"c":3}');
    assert.deepEqual(splitAll(input, [], 1000), ['line:{"a":1}', 'line:{"b":2}', 'line:{"c":3}']);
  });

  it('gives the same frames whatever the chunk boundaries (every split position)', () => {
    const input = Buffer.from('{"x":"é"}\r\n{"y":[1,2]}\n' + 'z'.repeat(40) + '\n{"w":0}\n');
    const whole = splitAll(input, [], 30);
    assert.deepEqual(whole, ['line:{"x":"é"}', 'line:{"y":[1,2]}', 'oversize', 'line:{"w":0}']);
    for (let first = 0; first <= input.length; first++) {
      for (let second = first; second <= input.length; second += 7) {
        assert.deepEqual(splitAll(input, [first, second], 30), whole, `cuts ${first},${second}`);
      }
    }
  });

  it('agrees with a reference splitter on random inputs and chunkings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ maxLength: 40 }).map((text) => text.replace(/[\n\r]/g, '')),
          { maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 30 }),
        (lines, rawCuts, limit) => {
          const text = lines.map((line) => `${line}\n`).join('');
          const input = Buffer.from(text);
          const cuts = rawCuts.map((cut) => cut % (input.length + 1));
          const expected = lines
            .filter((line) => line.trim() !== '' || Buffer.byteLength(line) > limit)
            .map((line) => (Buffer.byteLength(line) > limit ? 'oversize' : `line:${line}`));
          assert.deepEqual(splitAll(input, cuts, limit), expected);
        },
      ),
      { seed: 7, numRuns: 400 },
    );
  });

  it('never holds more than the limit of an oversize line, and reports it before its newline', () => {
    const splitter = new LineSplitter(1024);
    const frames = splitter.push(Buffer.from(`{"id":42,"cmd":"load","cql":"${'x'.repeat(900)}`));
    assert.equal(frames.length, 0);
    const crossing = splitter.push(Buffer.alloc(4096, 0x61));
    assert.equal(crossing.length, 1);
    const frame = crossing[0]!;
    assert.equal(frame.kind, 'oversize');
    assert.ok(frame.kind === 'oversize' && frame.prefix.length <= OVERSIZE_PREFIX_BYTES);
    assert.equal(frame.kind === 'oversize' ? idFromPrefix(frame.prefix) : undefined, 42);
    for (let index = 0; index < 100; index++) {
      assert.deepEqual(splitter.push(Buffer.alloc(65_536, 0x62)), []);
      assert.equal(splitter.bufferedBytes, 0);
    }
    assert.deepEqual(render(splitter.push(Buffer.from('tail"}\n{"cmd":"ping"}\n'))), [
      'line:{"cmd":"ping"}',
    ]);
  });

  it('an unterminated last line is a request; an unterminated oversize tail is not', () => {
    assert.deepEqual(splitAll(Buffer.from('{"a":1}\n{"b":2}'), [], 100), [
      'line:{"a":1}',
      'line:{"b":2}',
    ]);
    assert.deepEqual(splitAll(Buffer.from('{"a":1}\n' + 'q'.repeat(200)), [], 100), [
      'line:{"a":1}',
      'oversize',
    ]);
  });
});

describe('gateway: request lines', () => {
  it('parses the envelope and keeps the other fields as arguments', () => {
    const parsed = parseRequestLine(
      Buffer.from('{"id":"a-1","cmd":"sql","sql":"SELECT 1","token":"secret"}'),
    );
    assert.equal(parsed.kind, 'request');
    if (parsed.kind !== 'request') return;
    assert.equal(parsed.request.id, 'a-1');
    assert.equal(parsed.request.cmd, 'sql');
    assert.equal(parsed.request.token, 'secret');
    assert.equal(parsed.request.fields['sql'], 'SELECT 1');
  });

  const bad: [string, string, unknown][] = [
    ['{"id":7,"cmd":', 'E_PROTOCOL_JSON', 7],
    ['not json', 'E_PROTOCOL_JSON', null],
    ['[1,2]', 'E_PROTOCOL_REQUEST', null],
    ['"text"', 'E_PROTOCOL_REQUEST', null],
    ['{"id":3}', 'E_PROTOCOL_REQUEST', 3],
    ['{"id":3,"cmd":5}', 'E_PROTOCOL_REQUEST', 3],
    ['{"id":{"a":1},"cmd":"ping"}', 'E_PROTOCOL_REQUEST', null],
    ['{"id":"x","cmd":"ping","token":17}', 'E_PROTOCOL_REQUEST', 'x'],
    ['{"id":4,"cmd":"import_csv","progress":"yes"}', 'E_PROTOCOL_REQUEST', 4],
  ];
  for (const [line, code, id] of bad) {
    it(`refuses ${line} with ${code} and echoes id ${JSON.stringify(id)}`, () => {
      const parsed = parseRequestLine(Buffer.from(line));
      assert.equal(parsed.kind, 'invalid');
      if (parsed.kind !== 'invalid') return;
      assert.equal(parsed.error.code, code);
      assert.equal(parsed.id, id);
    });
  }

  it('refuses invalid UTF-8', () => {
    const parsed = parseRequestLine(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    assert.equal(parsed.kind === 'invalid' ? parsed.error.code : '', 'E_PROTOCOL_JSON');
  });

  it('finds the id at the start of a broken line, and only there', () => {
    assert.equal(idFromPrefix(Buffer.from('{"id":"abc","cmd":"x",')), 'abc');
    assert.equal(idFromPrefix(Buffer.from(' { "id" : -12.5 , "c')), -12.5);
    assert.equal(idFromPrefix(Buffer.from('{"cmd":"x","id":5')), null);
    assert.equal(idFromPrefix(Buffer.from('{"id":"a\\"b","x')), 'a"b');
  });
});
