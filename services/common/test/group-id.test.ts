import { consumerGroupId, legacyGroupId } from '../src/config';

describe('consumer group ids', () => {
  it('when no prefix is set, then the standard name is the id and there is no old id to take over', () => {
    const settings = { TOPIC_PREFIX: '' };
    expect(consumerGroupId(settings, undefined, 'gateway-renderer')).toBe('gateway-renderer');
    expect(legacyGroupId(settings, undefined, 'gateway-renderer')).toBeUndefined();
  });

  it('when a topic prefix is set, then the id takes it and the unprefixed standard name is the old id', () => {
    const settings = { TOPIC_PREFIX: 'prod.' };
    expect(consumerGroupId(settings, undefined, 'gateway-worker-sms')).toBe('prod.gateway-worker-sms');
    expect(legacyGroupId(settings, undefined, 'gateway-worker-sms')).toBe('gateway-worker-sms');
  });

  it('when a group prefix is set, then it wins over the topic prefix, and an empty one keeps the standard name', () => {
    expect(consumerGroupId({ TOPIC_PREFIX: 'prod.', KAFKA_GROUP_PREFIX: 'hn-' }, undefined, 'gateway-renderer')).toBe('hn-gateway-renderer');
    expect(consumerGroupId({ TOPIC_PREFIX: 'prod.', KAFKA_GROUP_PREFIX: '' }, undefined, 'gateway-renderer')).toBe('gateway-renderer');
    expect(legacyGroupId({ TOPIC_PREFIX: 'prod.', KAFKA_GROUP_PREFIX: '' }, undefined, 'gateway-renderer')).toBeUndefined();
  });

  it('when a group id is set explicitly, then it is used as given and nothing is taken over', () => {
    expect(consumerGroupId({ TOPIC_PREFIX: 'prod.' }, 'my-renderers', 'gateway-renderer')).toBe('my-renderers');
    expect(legacyGroupId({ TOPIC_PREFIX: 'prod.' }, 'my-renderers', 'gateway-renderer')).toBeUndefined();
  });
});
