export { answerFromSchema, lastUserMessage, requestedSchema, startFakeOpenAI } from './server.js';
export type { FakeChatRequest, FakeOpenAI, FakeOpenAIOptions, FakeReply, FakeResponder } from './server.js';
