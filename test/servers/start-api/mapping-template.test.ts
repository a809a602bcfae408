import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeJavaScript, MappingTemplateError, renderTemplate, urlDecode, urlEncode, type TemplateInput } from '../../../lib/servers/start-api/mapping-template.js';
import { selectIntegrationResponse } from '../../../lib/servers/start-api/rest-integration.js';

const input = (body: string, overrides: Partial<TemplateInput> = {}): TemplateInput => ({
  body,
  params: { path: { id: '7' }, querystring: { q: 'query', id: 'from-query' }, header: { 'X-Header': 'h', Origin: 'https://a.example' } },
  context: { stage: 'dev', requestId: 'req-1', identity: { sourceIp: '127.0.0.1' } },
  stageVariables: { color: 'blue' },
  ...overrides,
});

describe('renderTemplate', () => {
  it('gives $input.body, json(), path() and params() as API Gateway does', () => {
    const body = JSON.stringify({ name: 'Ada', pets: [{ kind: 'cat' }, { kind: 'dog' }], nothing: null });
    const text = renderTemplate(
      [
        'body=$input.body',
        'json=$input.json(\'$.pets[0]\')',
        'path=$input.path(\'$.name\')',
        'size=$input.path(\'$.pets\').size()',
        'param=$input.params(\'id\') $input.params(\'q\') $input.params(\'x-header\')',
        'all=$input.params().header.get(\'Origin\') $input.params().path.id',
        'missing=[$input.path(\'$.nothing\')][$input.path(\'$.absent\')][$stageVariables.absent][$input.params(\'absent\')]',
        'each=#foreach($pet in $input.path(\'$.pets\'))$pet.kind#if($foreach.hasNext),#end#end',
      ].join('\n'),
      input(body),
    ).text;
    assert.equal(
      text,
      [
        `body=${body}`,
        'json={"kind":"cat"}',
        'path=Ada',
        'size=2',
        'param=7 query h',
        'all=https://a.example 7',
        'missing=[][][][]',
        'each=cat,dog',
      ].join('\n'),
    );
  });

  it('gives $context, $stageVariables and $util', () => {
    const text = renderTemplate(
      '$context.stage $context.requestId $context.identity.sourceIp $stageVariables.color $util.escapeJavaScript("a\'b\\"c") $util.urlEncode("a b&c") $util.urlDecode("a+b%26c") $util.base64Encode("hi") $util.base64Decode("aGk=") $util.parseJson(\'{"a":{"b":3}}\').a.b',
      input(''),
    ).text;
    assert.equal(text, `dev req-1 127.0.0.1 blue a\\'b\\"c a+b%26c a b&c aGk= hi 3`);
  });

  it('reads $context.responseOverride and requestOverride set by the template', () => {
    const rendered = renderTemplate(
      '#set($context.responseOverride.status = 409)#set($context.responseOverride.header.X-Done = "yes")#set($context.requestOverride.header.X-Up = "up")ok',
      input(''),
    );
    assert.equal(rendered.text, 'ok');
    assert.equal(rendered.statusOverride, 409);
    assert.deepEqual(rendered.headerOverrides, { 'X-Done': 'yes' });
    assert.deepEqual(rendered.requestOverrides.header, { 'X-Up': 'up' });
  });

  it("calls Java String methods templates use", () => {
    const text = renderTemplate('#set($s = "Hello")$s.length() $s.isEmpty() $s.contains("ell") $s.equalsIgnoreCase("hello") $s.matches("H.*o") $s.replaceAll("l+", "L") $s.toUpperCase()', input('')).text;
    assert.equal(text, '5 false true true true HeLo HELLO');
  });

  it('throws a bad-input error when the template reads a body that is not JSON, and not when it does not read it', () => {
    assert.throws(
      () => renderTemplate("$input.json('$')", input('{nope')),
      (error: unknown) => error instanceof MappingTemplateError && error.badInput && /^Could not parse request body into json/.test(error.message),
    );
    assert.equal(renderTemplate('static', input('{nope')).text, 'static');
    assert.equal(renderTemplate("$input.json('$')", input('')).text, '{}');
  });
});

describe('$util helpers', () => {
  it('escape JavaScript as Java does', () => {
    assert.equal(escapeJavaScript('a"b\'c\\d/e\nf\tg'), 'a\\"b\\\'c\\\\d\\/e\\nf\\tg');
    assert.equal(escapeJavaScript('é\u0001😀'), '\\u00E9\\u0001\\uD83D\\uDE00');
  });

  it('URL-encode as a form, as Java does', () => {
    assert.equal(urlEncode("a b*c~d'e(f)!é"), "a+b*c%7Ed%27e%28f%29%21%C3%A9");
    assert.equal(urlDecode('a+b%20c%C3%A9'), 'a b cé');
  });
});

describe('selectIntegrationResponse', () => {
  const responses = [
    { statusCode: '200', responseParameters: {}, responseTemplates: {} },
    { statusCode: '400', selectionPattern: 'Bad.*', responseParameters: {}, responseTemplates: {} },
    { statusCode: '404', selectionPattern: '4\\d\\d', responseParameters: {}, responseTemplates: {} },
  ];

  it('takes the first pattern that matches the whole selector, else the default', () => {
    assert.equal(selectIntegrationResponse(responses, 'Bad input')?.statusCode, '400');
    assert.equal(selectIntegrationResponse(responses, '404')?.statusCode, '404');
    assert.equal(selectIntegrationResponse(responses, 'Not Bad')?.statusCode, '200');
    assert.equal(selectIntegrationResponse(responses, '4040')?.statusCode, '200');
    assert.equal(selectIntegrationResponse(responses, undefined)?.statusCode, '200');
    assert.equal(selectIntegrationResponse(responses.slice(1), '500'), undefined);
  });
});
