// The texts of the data screens: the Data screen's list of recent imports, @mentions in notes, and what an empty list
// says to whom (its reader's scope, whether they may add): [English, Russian], merged into MESSAGES by messages.js.
export const LISTS = {
  'data.history.title': ['Recent imports', 'Последние импорты'],
  'data.history.empty': ['No imports yet. An import you start shows here with its progress and result, even after you leave this screen.',
    'Импортов пока нет. Запущенный импорт появится здесь с ходом и итогом, даже если вы уйдёте с этого экрана.'],
  'data.history.open': ['Open the import of {name}', 'Открыть импорт файла {name}'],
  'data.history.made': [{ one: '{count} created', other: '{count} created' },
    { one: '{count} создана', few: '{count} создано', many: '{count} создано', other: '{count} создано' }],
  'data.history.skipped': [{ one: '{count} skipped as a duplicate', other: '{count} skipped as duplicates' },
    { one: '{count} пропущена как дубликат', few: '{count} пропущено как дубликаты', many: '{count} пропущено как дубликаты', other: '{count} пропущено как дубликаты' }],
  'data.history.errors': [{ one: '{count} with an error', other: '{count} with errors' },
    { one: '{count} с ошибкой', few: '{count} с ошибками', many: '{count} с ошибками', other: '{count} с ошибками' }],
  'data.history.byKey': ['an API key', 'API-ключ'],
  'data.history.byRemoved': ['a former user', 'бывший пользователь'],
  'data.history.undone': ['Undone', 'Отменён'],
  'data.history.undoing': ['Being undone', 'Отменяется'],
};
