import { expect } from 'chai';
import { instanceName } from '../src/main.js';

describe('the composition root', () => {
  it('names an instance within the lease columns whatever the host is called, and never twice alike', () => {
    const long = 'onevisit-api-production-cn-northwest-1-7d9f8b6c5d-x2x9k';
    const names = new Set([instanceName(long, 4_194_304), instanceName(long, 4_194_304), instanceName(`${long}-other`, 4_194_304)]);
    expect(names.size).to.equal(3);
    for (const name of names) expect(name.length).to.be.at.most(48);
    expect(instanceName('web-1', 42)).to.match(/^web-1:42:[0-9a-f]{6}$/);
  });
});
