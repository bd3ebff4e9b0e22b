import { redactText } from './src/safety/redact-text.js';
const inner = 'upstream said {"token" : "tk-91b2c3d4e5f6", "ok":false}';
console.log(redactText(inner));
const body = 'upstream said {\\"token\\" : \\"tk-91b2c3d4e5f6\\", \\"ok\\":false}';
console.log(JSON.parse(`"${body}"`) === inner);
const re = /"((?:[^"\\\n]|\\.)*\\(?:[^"\\\n]|\\.)*)"/g;
console.log([...('{"message":"' + body + '"}').matchAll(re)].map((m) => m[0]));
