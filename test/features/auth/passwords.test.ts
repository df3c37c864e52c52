import assert from 'node:assert/strict';
import { scrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../../../src/features/auth/passwords.ts';

describe('Password hashing', () => {
  it('When a password is hashed, then the result names scrypt, the format version and its parameters, and hides the password', async () => {
    const hash = await hashPassword('correct-horse1');
    assert.match(hash, /^scrypt\$1\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    assert.ok(!hash.includes('correct-horse1'));
  });

  it('When the same password is hashed twice, then the hashes differ (random salt) and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same-password'), hashPassword('same-password')]);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('same-password', a), true);
    assert.equal(await verifyPassword('same-password', b), true);
  });

  it('When the password differs in any way, then it does not verify', async () => {
    const hash = await hashPassword('Password1!');
    for (const attempt of ['password1!', 'Password1', 'Password1! ', '']) assert.equal(await verifyPassword(attempt, hash), false, attempt);
  });

  it('When the stored value is not one of our hashes (plaintext, null, damaged), then nothing verifies against it', async () => {
    const hash = await hashPassword('Password1!');
    for (const stored of ['Password1!', null, undefined, 'oauth', hash.slice(0, -4), hash.replace('scrypt$1$', 'scrypt$2$')]) {
      assert.equal(await verifyPassword('Password1!', stored), false, String(stored));
    }
  });

  it('When a hash was made with other scrypt parameters, then it still verifies (they travel with the hash)', async () => {
    const hash = await hashPassword('Password1!');
    const [, , , salt] = hash.split('$');
    const key = await new Promise<Buffer>((resolve, reject) =>
      scrypt('Password1!', Buffer.from(salt!, 'base64url'), 32, { N: 1024, r: 8, p: 1 }, (error, derived) => (error ? reject(error) : resolve(derived))),
    );
    assert.equal(await verifyPassword('Password1!', `scrypt$1$N=1024,r=8,p=1$${salt}$${key.toString('base64url')}`), true);
  });
});
