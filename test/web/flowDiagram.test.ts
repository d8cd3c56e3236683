/** The flow drawn on the server: every text escaped, a title for screen readers, lines broken as Chinese is set. */
import { expect } from 'chai';
import { flowSvg } from '../../src/web/flowDiagram.js';

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('web flow diagram', () => {
  it('escapes every text and carries the title', () => {
    const svg = flowSvg([{ title: '<script>alert(1)</script>', parallel: [] }, { title: 'a "quoted" & \u202Eodd', parallel: ['x'] }], 'Flow <b>');
    expect(svg).to.not.contain('<script>');
    expect(svg).to.contain('&lt;script&gt;');
    expect(svg).to.contain('<title id="flow-title">Flow &lt;b&gt;</title>');
    expect(svg).to.contain('&quot;quoted&quot; &amp;');
  });

  it('never starts a line with closing punctuation, and breaks English between words', () => {
    const svg = flowSvg([{ title: '部门并联审批', parallel: ['企业设立登记（营业执照）', '市场主体设立登记营业执照）', '新办纳税人涉税事项（含数电发票开票）', 'Employee social insurance enrolment for new companies'] }], 't');
    const lines = texts(svg);
    expect(lines.filter((l) => /^[）、，。]/.test(l))).to.deep.equal([]);
    const words = new Set('Employee social insurance enrolment for new companies'.split(' '));
    const english = lines.filter((l) => /^[A-Za-z ]+$/.test(l));
    expect(english.length, 'the English title wraps').to.be.greaterThan(1);
    expect(english.flatMap((l) => l.split(' ')).filter((w) => !words.has(w)), 'no word is cut').to.deep.equal([]);
  });
});
