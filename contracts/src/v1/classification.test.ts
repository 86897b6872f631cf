import {
  compareUrgency,
  isClassified,
  normalizeSecrecy,
  normalizeUrgency,
  SECRECY_LABELS,
  SECRECY_LEVELS,
  SECRECY_RANK,
  URGENCIES,
  URGENCY_LABELS,
  URGENCY_RANK,
  type Urgency,
} from './classification';

describe('urgency and secrecy', () => {
  it('when the labels are read, then they are the official Vietnamese names', () => {
    expect(URGENCY_LABELS).toEqual({ thuong: 'Thường', khan: 'Khẩn', 'thuong-khan': 'Thượng khẩn', 'hoa-toc': 'Hỏa tốc' });
    expect(SECRECY_LABELS).toEqual({ thuong: 'Thường', mat: 'Mật', 'toi-mat': 'Tối mật', 'tuyet-mat': 'Tuyệt mật' });
  });

  it('when urgencies are ranked, then hỏa tốc is highest and the array is in rank order', () => {
    expect(URGENCIES.map((u) => URGENCY_RANK[u])).toEqual([0, 1, 2, 3]);
    expect(URGENCIES[URGENCIES.length - 1]).toBe('hoa-toc');
    expect(SECRECY_LEVELS.map((s) => SECRECY_RANK[s])).toEqual([0, 1, 2, 3]);
  });

  it('when a work queue sorts by urgency descending, then hỏa tốc comes first', () => {
    const queue: Urgency[] = ['khan', 'thuong', 'hoa-toc', 'thuong-khan'];
    expect([...queue].sort((a, b) => compareUrgency(b, a))).toEqual(['hoa-toc', 'thuong-khan', 'khan', 'thuong']);
  });

  it('when every label is normalized, then it maps back to its slug', () => {
    for (const urgency of URGENCIES) {
      expect(normalizeUrgency(URGENCY_LABELS[urgency])).toBe(urgency);
      expect(normalizeUrgency(URGENCY_LABELS[urgency].toUpperCase())).toBe(urgency);
      expect(normalizeUrgency(urgency)).toBe(urgency);
    }
    for (const secrecy of SECRECY_LEVELS) {
      expect(normalizeSecrecy(SECRECY_LABELS[secrecy])).toBe(secrecy);
      expect(normalizeSecrecy(SECRECY_LABELS[secrecy].toLowerCase())).toBe(secrecy);
      expect(normalizeSecrecy(secrecy)).toBe(secrecy);
    }
  });

  it('when "hoả tốc" uses the old tone-mark placement, then it is still hỏa tốc', () => {
    expect('hoả tốc').not.toBe('hỏa tốc');
    expect(normalizeUrgency('hoả tốc')).toBe('hoa-toc');
    expect(normalizeUrgency('HOẢ TỐC')).toBe('hoa-toc');
  });

  it('when an inherited object key is given, then it is not mistaken for a level', () => {
    expect(normalizeUrgency('constructor')).toBeUndefined();
    expect(normalizeSecrecy('__proto__')).toBeUndefined();
    expect(normalizeSecrecy('toString')).toBeUndefined();
  });

  it('when secrecy is mật or above, then the content is withheld; thường is not', () => {
    expect(SECRECY_LEVELS.filter(isClassified)).toEqual(['mat', 'toi-mat', 'tuyet-mat']);
  });
});
