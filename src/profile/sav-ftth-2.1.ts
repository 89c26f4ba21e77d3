/**
 * The SAV FTTH v2.1 profile, transcribed from the protocol model `shared/protocol/SAV-FTTH-2.1.md`.
 * Clauses ("§5") point into that document; "spec 3.1.1" points into the supplier specification.
 */
import type {
  ActionDef,
  Basis,
  ClosureCode,
  FieldDef,
  OperationDef,
  Profile,
  TransitionDef,
} from './types.ts';

const spec = (clause: string): Basis => ({ basis: 'spec', clause });
const interop = (clause: string): Basis => ({ basis: 'interop', clause });
const decision = (clause: string): Basis => ({ basis: 'decision', clause });

type FieldSpec = Omit<FieldDef, 'group' | 'ns' | 'nillable' | 'basis' | 'clause' | 'type'> &
  Partial<Pick<FieldDef, 'type' | 'basis' | 'clause' | 'nillable'>>;

/** A direct child of troubleTicketValue: its element is §4's; a format of its own cites §5 (`format`). */
const valueField = (ns: FieldDef['ns'], f: FieldSpec): FieldDef => ({
  type: 'string',
  nillable: true,
  ...interop('§4'),
  ...f,
  ns,
  group: 'value',
});
const ftth = (f: FieldSpec): FieldDef => ({
  type: 'string',
  nillable: true,
  ...interop('§5'),
  ...f,
  ns: 'ftth',
  group: 'ftth',
});

const fields: FieldDef[] = [
  valueField('co', {
    name: 'lastUpdateVersionNumber',
    type: 'long',
    nillable: false,
    // §5 gives no row for it: xs:long is the type of co:lastUpdateVersionNumber in the OSS/J Common
    // v1-5 schema, the co namespace of §2.
    format: interop('§2 co (OSSJ Common v1-5)'),
    label: 'Numéro de mise à jour du ticket à l initiative de l OI',
  }),
  valueField('bi', {
    name: 'interactionDate',
    format: interop('§5'),
    type: 'dateTime',
    label: 'Date d envoi du message',
  }),
  valueField('bi', {
    name: 'interactionDateComplete',
    format: interop('§5'),
    type: 'dateTime',
    label: 'Date de clôture du ticket dans le SI de l OI',
  }),
  valueField('bi', { name: 'description', list: 'description', label: 'Code de l action' }),
  valueField('cbe', { name: 'troubleTicketKey', required: true, label: 'Identifiant du ticket chez l OI' }),
  valueField('cbe', {
    name: 'troubleTicketState',
    required: true,
    list: 'troubleTicketState',
    label: 'Etat du ticket',
  }),
  valueField('cbe', { name: 'troubleDescription', label: 'Description de l incident' }),
  valueField('cbe', {
    name: 'troubleDetectionTime',
    format: interop('§5'),
    type: 'dateTime',
    label: 'Date d apparition de l incident',
  }),
  valueField('cbe', {
    name: 'serviceRestoredTime',
    format: interop('§5'),
    type: 'dateTime',
    label: 'Date de rétablissement du service',
  }),
  ftth({ name: 'serviceProviderID', exactLength: 9, siren: true, label: 'SIREN de l OC' }),
  ftth({ name: 'serviceProviderName', maxLength: 40, label: 'Nom et prénom du correspondant OC' }),
  ftth({ name: 'serviceProviderUnit', maxLength: 40, label: 'Unité de traitement côté OC' }),
  ftth({ name: 'serviceProviderPhoneNumber', maxLength: 25, label: 'Téléphone de contact de l OC' }),
  ftth({ name: 'supplierID', exactLength: 9, siren: true, label: 'SIREN de l OI' }),
  ftth({ name: 'supplierName', maxLength: 40, label: 'Nom et prénom du correspondant OI' }),
  ftth({ name: 'supplierUnit', maxLength: 40, label: 'Unité de traitement côté OI' }),
  ftth({ name: 'supplierPhoneNumber', maxLength: 25, label: 'Téléphone de contact de l OI' }),
  ftth({
    name: 'troubleTicketType',
    type: 'integer',
    list: 'troubleTicketType',
    label: 'Type de signalisation',
  }),
  ftth({ name: 'offerId', maxLength: 50, label: 'Offre commercialisée par l OI' }),
  ftth({ name: 'commercialId', maxLength: 50, label: 'Référence de la prestation souscrite' }),
  ftth({ name: 'technicalId', maxLength: 50, label: 'Référence de la prise FTTH (PTO)' }),
  ftth({ name: 'serviceProviderTroubleTicketKey', maxLength: 30, label: 'Référence du ticket chez l OC' }),
  ftth({ name: 'customerLastName', maxLength: 30, label: 'Nom du client final' }),
  ftth({ name: 'customerFirstName', maxLength: 30, label: 'Prénom du client final' }),
  ftth({ name: 'contactPhoneNumber1', maxLength: 25, label: 'Téléphone du client final' }),
  ftth({ name: 'contactPhoneNumber2', maxLength: 25, label: 'Téléphone secondaire du client final' }),
  ftth({ name: 'customerAccessibilityHours', maxLength: 50, label: 'Heures d accessibilité du site client' }),
  ftth({ name: 'appointmentMode', list: 'appointmentMode', label: 'Mode de réservation du RDV' }),
  ftth({
    name: 'SUAppointmentManagementId',
    maxLength: 10,
    ...spec('spec 3.1.1'),
    label: 'Référence du créneau dans le plan de charge de l OI',
  }),
  ftth({ name: 'appointmentSuggestion1', type: 'dateTime', label: 'Proposition de RDV 1' }),
  ftth({ name: 'appointmentSuggestion2', type: 'dateTime', label: 'Proposition de RDV 2' }),
  ftth({ name: 'appointmentSuggestion3', type: 'dateTime', label: 'Proposition de RDV 3' }),
  ftth({ name: 'defectClassId', type: 'integer', list: 'defectClassId', label: 'Nature de l incident' }),
  ftth({
    name: 'defectDescription',
    maxLength: 30,
    list: 'defectDescription',
    label: 'Description du défaut',
  }),
  ftth({ name: 'defectPrelocalization', list: 'localization', label: 'Prélocalisation de l incident' }),
  ftth({ name: 'alreadyOperated', type: 'boolean', label: 'Le service a-t-il déjà fonctionné' }),
  ftth({ name: 'messageType', list: 'messageType', label: 'Type de message' }),
  ftth({ name: 'messageContent', maxLength: 1024, label: 'Contenu du message' }),
  ftth({ name: 'supplierPlannedActionDate', type: 'dateTime', label: 'Date d intervention prévue par l OI' }),
  ftth({ name: 'supplierResolutionAction', list: 'supplierResolutionAction', label: 'Type d intervention' }),
  ftth({
    name: 'supplierResolutionState',
    list: 'supplierResolutionState',
    label: 'Avancement de la résolution',
  }),
  ftth({ name: 'troubleTicketClosureCode', list: 'troubleTicketClosureCode', label: 'Code de clôture' }),
  ftth({ name: 'troubleTicketClosureLabel', list: 'troubleTicketClosureLabel', label: 'Libellé de clôture' }),
  ftth({ name: 'defectLocalization', list: 'localization', label: 'Localisation du défaut' }),
  ftth({ name: 'defectResponsibility', list: 'defectResponsibility', label: 'Responsabilité du défaut' }),
  ftth({
    name: 'reprovisionningId',
    maxLength: 30,
    aliases: ['reprovisioningId'],
    label: 'N° de décharge de reprovisionnement',
  }),
  ftth({ name: 'troubleTicketClosureComment', maxLength: 1024, label: 'Commentaire de clôture' }),
  ftth({ name: 'closureDuration', type: 'duration', label: 'Durée contractuelle de résolution (GTR)' }),
];

const closureCodes: ClosureCode[] = (
  [
    ['ERR01', 'SIG NON PRISE EN COMPTE : LE PRODUIT N EST PAS DANS VOTRE PARC', 'rejection'],
    ['ERR03', 'INFORMATIONS INCOMPLETES', 'rejection'],
    ['ERR04', 'SIG NON PRISE EN COMPTE : AUTRE SIG EN COURS DE TRAITEMENT', 'rejection'],
    ['ERR05', 'CLOTURE DU TICKET DE MAINTENANCE PROGRAMMEE', 'rejection'],
    ['ERR06', 'LA DEMANDE DE RENSEIGNEMENT EST RESTEE SANS SUITE : TICKET CLOS', 'rejection'],
    ['ERR07', 'INCIDENT ABANDONNE SUR DEMANDE DE L OC (ETAT QUEUED)', 'oc-cancel-queued'],
    ['ERR08', 'UNE RESILIATION A ETE REÇUE', 'rejection'],
    ['RET01', 'DEFAUT CONFIRME ET CORRIGE PAR OI', 'resolved'],
    ['RET02', 'PRELOC ERRONEE, DEFAUT CORRIGE PAR OI', 'resolved'],
    ['RET03', 'CLOTURE DU TICKET D INCIDENT GENERALISE (DERANGEMENT COLLECTIF)', 'resolved'],
    ['RET04', 'DEFAUT CAUSE PAR UN TIERS IDENTIFIE', 'resolved'],
    ['RET05', 'DEFAUT LIE A DES CAUSES EXCEPTIONNELLES (INTEMPERIES)', 'resolved'],
    ['RET06', 'DEFAUT LIE A UN VANDALISME', 'resolved'],
    ['STT01', 'PAS DE DEFAUT CONSTATE SUR LA PARTIE DE L OI', 'no-oi-fault'],
    [
      'STT02',
      'INCIDENT ABANDONNE SUR VOTRE DEMANDE (ETAT OPEN ACTIVE - INTERVENTION LANCEE)',
      'oc-cancel-open',
    ],
    ['STT03', 'DEFAUT DETECTE RESPONSABILITE OC', 'oc-fault'],
    ['ABS01', 'CLIENT ABSENT, NECESSITE D INTERVENIR CHEZ LUI, PAS DE RDV PLANIFIE', 'customer-absent'],
    ['ABS02', 'CLIENT ABSENT LORS DU RDV', 'customer-absent'],
    ['EXC01', 'DESACCORD TERRAIN SUITE EXPERTISE CONJOINTE', 'joint-expertise'],
    ['EXC02', 'TECHNICIEN OC ABSENT', 'joint-expertise'],
    ['EXC03', 'TECHNICIEN OI ABSENT', 'joint-expertise'],
  ] as const
).map(([code, text, family]) => ({ code, text, family, ...interop('§6') }));

const codesOf = (...families: ClosureCode['family'][]) =>
  closureCodes.filter((c) => families.includes(c.family)).map((c) => c.code);

const STATES = {
  queued: 'QUEUED',
  open: 'OPENACTIVE',
  toBeCanceled: 'OPENACTIVE.TO.BE.CANCELED',
  closed: 'CLOSED',
} as const;

const ACTION_CODES = {
  create: 'CASE CREATE REQUEST',
  cancel: 'CASE CANCELATION',
  cancelRequest: 'CASE CANCELATION REQUEST',
  spInfo: 'SP CASE INFORMATION NOTIFICATION',
  solving: 'CASE SOLVING NOTIFICATION',
  solved: 'CASE SOLVED NOTIFICATION',
  cancelAgreement: 'CASE CANCELATION AGREEMENT',
  suInfo: 'SU CASE INFORMATION NOTIFICATION',
} as const;

const { queued, open, toBeCanceled, closed } = STATES;
const notClosed = [queued, open, toBeCanceled];

const transitions: TransitionDef[] = [
  {
    id: 'T1',
    from: null,
    to: queued,
    actor: 'OC',
    description: ACTION_CODES.create,
    title: 'Création du ticket',
  },
  {
    id: 'T2',
    from: [queued],
    to: closed,
    actor: 'OC',
    description: ACTION_CODES.cancel,
    title: 'Annulation par l OC en QUEUED',
    closureCodes: ['ERR07'],
  },
  {
    id: 'T3',
    from: [open],
    to: toBeCanceled,
    actor: 'OC',
    description: ACTION_CODES.cancelRequest,
    title: 'Demande d annulation par l OC',
  },
  {
    id: 'T4',
    from: notClosed,
    to: 'unchanged',
    actor: 'OC',
    description: ACTION_CODES.spInfo,
    title: 'Information de l OC (dont modification de RDV)',
  },
  {
    id: 'T5',
    from: [queued],
    to: open,
    actor: 'OI',
    description: ACTION_CODES.solving,
    title: 'Prise en charge',
  },
  {
    id: 'T6',
    from: [queued],
    to: closed,
    actor: 'OI',
    description: ACTION_CODES.solved,
    title: 'Rejet par l OI',
    closureCodes: codesOf('rejection'),
  },
  {
    id: 'T7',
    from: [open],
    to: open,
    actor: 'OI',
    description: ACTION_CODES.solving,
    title: 'Planification, avancement',
  },
  {
    id: 'T8',
    from: notClosed,
    to: 'unchanged',
    actor: 'OI',
    description: ACTION_CODES.suInfo,
    title: 'Information de l OI',
  },
  {
    id: 'T9',
    from: [open],
    to: closed,
    actor: 'OI',
    description: ACTION_CODES.solved,
    title: 'Résolution',
    closureCodes: codesOf('resolved', 'no-oi-fault', 'oc-fault', 'customer-absent', 'joint-expertise'),
  },
  {
    id: 'T10',
    from: [toBeCanceled],
    to: closed,
    actor: 'OI',
    description: ACTION_CODES.cancelAgreement,
    title: 'Accord d annulation',
    closureCodes: ['STT02'],
  },
  {
    id: 'T11',
    from: [toBeCanceled],
    to: open,
    actor: 'OI',
    description: ACTION_CODES.suInfo,
    title: 'Refus d annulation',
    setting: 'cancellationRefusalAllowed',
    ...decision('§7'),
  },
].map((t) => ({ ...interop('§7'), ...t }) as TransitionDef);

/** Fields every set carries, whichever side sends it (§8; for OI pushes a [decision]). */
const COMMON_SET = [
  'interactionDate',
  'description',
  'troubleTicketKey',
  'troubleTicketState',
  'lastUpdateVersionNumber',
  'serviceProviderID',
  'supplierID',
];

const set = (
  a: Omit<ActionDef, 'operation' | 'catalogue' | 'basis' | 'clause'> & Partial<Basis>,
): ActionDef => ({
  ...decision('§8'),
  ...a,
  operation: 'setTroubleTicketByValue',
  catalogue: a.actor === 'OC' ? 'R6' : 'R7',
  mandatory: [...COMMON_SET, ...a.mandatory],
});

/** The appointment slot each mode needs: [spec] on the create (model §8's T1 row), [decision] on a change. */
const appointmentConditions = (prefix: string, basis: Basis) => [
  {
    id: `${prefix}.appointment-auto`,
    when: { field: 'appointmentMode', equals: 'AUTO' },
    require: ['SUAppointmentManagementId'],
    title: 'RDV AUTO : référence du créneau',
    ...basis,
  },
  {
    id: `${prefix}.appointment-manuel`,
    when: { field: 'appointmentMode', equals: 'MANUEL' },
    require: ['appointmentSuggestion1'],
    title: 'RDV MANUEL : première proposition',
    ...basis,
  },
];

const actions: ActionDef[] = [
  {
    id: 'oc.create',
    catalogue: 'R6',
    actor: 'OC',
    title: 'Création de signalisation',
    operation: 'createTroubleTicketByValue',
    transitions: ['T1'],
    ...spec('spec 3.1.1'),
    mandatory: [
      'interactionDate',
      'description',
      'troubleTicketState',
      'troubleDescription',
      'troubleDetectionTime',
      'serviceProviderID',
      'supplierID',
      'troubleTicketType',
      'offerId',
      'serviceProviderTroubleTicketKey',
      'defectClassId',
      'defectDescription',
      'defectPrelocalization',
      'alreadyOperated',
    ],
    oneOf: [['commercialId', 'technicalId']],
    optional: [
      'serviceProviderName',
      'serviceProviderUnit',
      'serviceProviderPhoneNumber',
      'customerAccessibilityHours',
      'appointmentMode',
      'customerLastName',
      'customerFirstName',
      'contactPhoneNumber1',
      'contactPhoneNumber2',
      'SUAppointmentManagementId',
      'appointmentSuggestion1',
      'appointmentSuggestion2',
      'appointmentSuggestion3',
    ],
    conditions: [
      {
        id: 'oc.create.appointment-contact',
        when: { field: 'appointmentMode', present: true },
        require: ['customerLastName', 'customerFirstName', 'contactPhoneNumber1'],
        title: 'RDV avec le client : nom, prénom et téléphone du client',
        ...spec('spec 3.1.1'),
      },
      ...appointmentConditions('oc.create', spec('spec 3.1.1')),
    ],
  },
  set({
    id: 'oc.cancel',
    actor: 'OC',
    title: 'Annulation en QUEUED',
    transitions: ['T2'],
    mandatory: [],
    optional: ['messageContent'],
  }),
  set({
    id: 'oc.cancellationRequest',
    actor: 'OC',
    title: 'Demande d annulation',
    transitions: ['T3'],
    mandatory: [],
    optional: ['messageType', 'messageContent'],
  }),
  set({
    id: 'oc.information',
    actor: 'OC',
    title: 'Information de l OC',
    transitions: ['T4'],
    mandatory: ['messageType', 'messageContent'],
    optional: [
      'customerLastName',
      'customerFirstName',
      'contactPhoneNumber1',
      'contactPhoneNumber2',
      'customerAccessibilityHours',
    ],
    discriminator: { field: 'messageType', notIn: ['DEMANDE RDV'] },
  }),
  set({
    id: 'oc.appointmentChange',
    actor: 'OC',
    title: 'Modification ou replanification de RDV',
    transitions: ['T4'],
    mandatory: ['messageType', 'appointmentMode'],
    fixed: { messageType: 'DEMANDE RDV' },
    optional: [
      'SUAppointmentManagementId',
      'appointmentSuggestion1',
      'appointmentSuggestion2',
      'appointmentSuggestion3',
      'customerAccessibilityHours',
      'messageContent',
    ],
    conditions: appointmentConditions('oc.appointmentChange', decision('§8')),
    discriminator: { field: 'messageType', in: ['DEMANDE RDV'] },
  }),
  set({
    id: 'oi.takeInCharge',
    actor: 'OI',
    title: 'Prise en charge',
    transitions: ['T5'],
    mandatory: ['supplierName', 'supplierResolutionState'],
    optional: ['supplierUnit', 'supplierPhoneNumber', 'supplierResolutionAction'],
  }),
  set({
    id: 'oi.plan',
    actor: 'OI',
    title: 'Planification, avancement',
    transitions: ['T7'],
    mandatory: ['supplierResolutionState', 'supplierResolutionAction'],
    optional: ['supplierPlannedActionDate', 'messageType', 'messageContent'],
    conditions: [
      {
        id: 'oi.plan.planned-date',
        when: { field: 'supplierResolutionState', equals: 'ACTION PLANIFIEE' },
        require: ['supplierPlannedActionDate'],
        title: 'Action planifiée : date prévue',
        ...decision('§8'),
      },
    ],
  }),
  set({
    id: 'oi.information',
    actor: 'OI',
    title: 'Information de l OI',
    transitions: ['T8'],
    mandatory: ['messageType', 'messageContent'],
    optional: [],
  }),
  set({
    id: 'oi.cancellationRefusal',
    actor: 'OI',
    title: 'Refus d annulation',
    transitions: ['T11'],
    mandatory: ['messageType', 'messageContent'],
    optional: [],
  }),
  set({
    id: 'oi.rejection',
    actor: 'OI',
    title: 'Rejet (code ERR)',
    transitions: ['T6'],
    mandatory: ['troubleTicketClosureCode', 'troubleTicketClosureLabel'],
    // §7 [spec]: interactionDateComplete is set when the ticket closes, so every closing action carries it.
    optional: ['troubleTicketClosureComment', 'interactionDateComplete'],
  }),
  set({
    id: 'oi.resolution',
    actor: 'OI',
    title: 'Résolution',
    transitions: ['T9'],
    mandatory: [
      'troubleTicketClosureCode',
      'troubleTicketClosureLabel',
      'defectLocalization',
      'defectResponsibility',
    ],
    optional: [
      'serviceRestoredTime',
      'closureDuration',
      'reprovisionningId',
      'troubleTicketClosureComment',
      'supplierResolutionState',
      'interactionDateComplete',
    ],
    conditions: [
      {
        id: 'oi.resolution.restored-time',
        when: {
          field: 'troubleTicketClosureCode',
          notIn: codesOf('no-oi-fault', 'oc-fault', 'customer-absent', 'joint-expertise'),
        },
        require: ['serviceRestoredTime'],
        title: 'Résolution par l OI : date de rétablissement',
        ...decision('§8'),
      },
    ],
    allowed: { supplierResolutionState: ['ACTION TERMINEE'] },
  }),
  set({
    id: 'oi.cancellationAgreement',
    actor: 'OI',
    title: 'Accord d annulation',
    transitions: ['T10'],
    mandatory: ['troubleTicketClosureCode', 'troubleTicketClosureLabel'],
    optional: ['troubleTicketClosureComment', 'interactionDateComplete'],
  }),
];

const op = (
  o: Omit<OperationDef, 'basis' | 'clause' | 'exception' | 'request' | 'response'>,
): OperationDef => ({
  ...interop('§3'),
  ...o,
  request: `${o.name}Request`,
  response: `${o.name}Response`,
  exception: `${o.name}Exception`,
});

const meta = (
  name: string,
  ns: 'co' | 'tt',
  responseChild: string,
  values: string[],
  requestChild?: string,
) =>
  op({
    name,
    kind: 'meta',
    ns,
    faultChoices: requestChild ? ['ossIllegalArgumentException', 'remoteException'] : ['remoteException'],
    // §3 fixes the answers' shape (arrays of strings), not their values: these are our decision.
    meta: { responseChild, values, ...(requestChild ? { requestChild } : {}), valuesBasis: decision('§3') },
  });

const operations: OperationDef[] = [
  op({
    name: 'createTroubleTicketByValue',
    kind: 'create',
    ns: 'tt',
    faultChoices: [
      'ossIllegalArgumentException',
      'remoteException',
      'duplicateKeyException',
      'createException',
    ],
  }),
  op({
    name: 'setTroubleTicketByValue',
    kind: 'set',
    ns: 'tt',
    faultChoices: [
      'ossIllegalArgumentException',
      'remoteException',
      'objectNotFoundException',
      'ossSetException',
      'ossResyncRequiredException',
    ],
  }),
  op({
    name: 'getTroubleTicketByKey',
    kind: 'get',
    ns: 'tt',
    faultChoices: ['ossIllegalArgumentException', 'remoteException', 'objectNotFoundException'],
  }),
  meta('getSupportedOptionalOperations', 'co', 'strings', []),
  meta('getManagedEntityTypes', 'co', 'strings', ['TroubleTicketValue']),
  meta('getEventTypes', 'co', 'strings', []),
  meta('getEventDescriptor', 'co', 'eventPropertyDescriptor', [], 'eventType'),
  meta('getUpdateProcedureTypes', 'co', 'strings', []),
  meta('getNamedQueryTypes', 'co', 'strings', []),
  meta('getTroubleTicketItemTypes', 'tt', 'troubleTicketItemTypes', []),
  meta('getTroubleTicketTypes', 'tt', 'troubleTicketTypes', ['1', '2', '3']),
];

export const savFtth21: Profile = {
  id: 'sav-ftth-2.1',
  title: 'Interop Fibre SAV FTTH v2.1',
  version: '2.1',
  source: 'shared/protocol/SAV-FTTH-2.1.md',
  namespaces: {
    soapenv: 'http://schemas.xmlsoap.org/soap/envelope/',
    tt: 'http://ossj.org/xml/TroubleTicket/v1-2',
    cbe: 'http://ossj.org/xml/TroubleTicket-CBETrouble/v1-2',
    co: 'http://ossj.org/xml/Common/v1-5',
    bi: 'http://ossj.org/xml/Common-CBEBi/v1-5',
    hdr: 'http://interop-fibre.fr/xml/TroubleTicketHeader/v1-0',
    ftth: 'http://interop-fibre.fr/xml/TroubleTicketValue/v1-2',
    wsdl: 'http://ossj.org/wsdl/TroubleTicket/v1-2',
    xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  },
  prefixes: {
    soapenv: 'soapenv',
    tt: 'tt',
    cbe: 'cbe',
    co: 'co',
    bi: 'bi',
    hdr: 'hdr',
    ftth: 'ftth',
    wsdl: 'tns',
    xsi: 'xsi',
  },
  service: {
    portType: 'JVTTroubleTicketSessionWSPort',
    binding: 'JVTTroubleTicketSessionWSPortBinding',
    service: 'JVTTroubleTicketSessionWS',
    port: 'JVTTroubleTicketSessionWSPort',
    path: '/interop-sav-21/services/JVTTroubleTicketSessionWSPort',
  },
  operations,
  fields,
  ignoredElements: [
    'baseTroubleTicketState_TroubleTicket',
    'businessInteractionState',
    'roleAssignments',
    'troubleTicketItemKeys',
    'baseInteractionStatus_BusinessInteraction',
    'businessInteractionItemKeys',
    'references',
    'involvedLocations',
    'involvedRoles',
    // JSR 91 ManagedEntityValue / EntityValue members the reference TroubleTicketValue inherits.
    'key',
    'describingSpecificationKey',
  ],
  valueLists: [
    {
      id: 'troubleTicketState',
      values: [queued, open, toBeCanceled, closed],
      legacy: ['DEFERRED', 'CLEARED', 'CLOSE.CANCELLED'],
      mode: 'strict',
      ...interop('§6'),
    },
    { id: 'description', values: Object.values(ACTION_CODES), mode: 'strict', ...spec('§6') },
    { id: 'troubleTicketType', values: ['1', '2', '3'], mode: 'strict', ...interop('§6') },
    { id: 'defectClassId', values: ['1', '2'], mode: 'strict', ...interop('§6') },
    {
      id: 'defectDescription',
      values: ['PAS DE SIGNAL', 'SIGNAL AFFAIBLI', 'PROBLEME ALIGNEMENT'],
      mode: 'open',
      ...interop('§6'),
    },
    {
      id: 'localization',
      values: ['PTO', 'RACCO PALIER', 'PBO', 'PM-PBO', 'PM', 'HORIZONTALE RESEAU'],
      mode: 'strict',
      ...interop('§6'),
    },
    { id: 'appointmentMode', values: ['AUTO', 'MANUEL'], mode: 'strict', ...interop('§6') },
    {
      id: 'messageType',
      values: [
        'DEMANDE',
        'REPONSE',
        'INFO',
        'AVANCEMENT INTERVENTION',
        'DEMANDE RDV',
        'REPONSE RDV',
        'PROPOSITION DE RDV',
        'ESCALADE',
      ],
      mode: 'strict',
      ...interop('§6'),
    },
    {
      id: 'supplierResolutionAction',
      values: ['INTERVENTION SANS RDV', 'INTERVENTION AVEC RDV'],
      mode: 'strict',
      ...interop('§6'),
    },
    {
      id: 'supplierResolutionState',
      values: [
        'ACTION A DEFINIR',
        'ACTION PREVUE',
        'ACTION PLANIFIEE',
        'NOUVELLE ACTION A PREVOIR',
        'ACTION ANNULEE',
        'ACTION TERMINEE',
      ],
      mode: 'strict',
      ...interop('§6'),
    },
    { id: 'defectResponsibility', values: ['OI', 'OC', 'TIERS'], mode: 'strict', ...interop('§6') },
    {
      id: 'troubleTicketClosureCode',
      values: closureCodes.map((c) => c.code),
      mode: 'strict',
      ...interop('§6'),
    },
    {
      id: 'troubleTicketClosureLabel',
      values: closureCodes.map((c) => `${c.code}#${c.text}`),
      mode: 'strict',
      ...interop('§6'),
    },
  ],
  states: [
    { name: queued, ...interop('§7') },
    { name: open, ...interop('§7') },
    { name: toBeCanceled, ...interop('§7') },
    { name: closed, final: true, ...interop('§7') },
    { name: 'DEFERRED', legacy: true, ...interop('§6') },
    { name: 'CLEARED', legacy: true, ...interop('§6') },
    { name: 'CLOSE.CANCELLED', legacy: true, final: true, ...interop('§6') },
  ],
  transitions,
  actions,
  commonSet: { mandatory: COMMON_SET, ...decision('§8') },
  getRequest: {
    mandatory: ['supplierID', 'serviceProviderID'],
    oneOf: [['troubleTicketKey', 'technicalId']],
    ...spec('spec 3.3.1'),
  },
  getResponse: spec('spec 3.3.2'),
  returnCodes: { success: '0', missing: '1', invalid: '2', ...spec('spec 4.1') },
  businessRefusals: {
    unknownProduct: 'ERR01',
    otherTicketOpen: 'ERR04',
    termination: 'ERR08',
    ...decision('§9'),
  },
  closureCodes,
  settings: {
    ftthNamespace: 'http://interop-fibre.fr/xml/TroubleTicketValue/v1-2',
    strictSirenKey: false,
    legacyStatesReadable: true,
    cancellationRefusalAllowed: true,
    lenientFtthNamespace: false,
    initialVersionNumber: 1,
    rejectStaleVersion: true,
    rejectUnissuedVersion: true,
    illegalTransitionField: 'troubleTicketState',
    staleVersionField: 'lastUpdateVersionNumber',
    unknownKeyField: 'troubleTicketKey',
    maxMessageBytes: 1024 * 1024,
    ocIsolation: true,
    getByTechnicalIdOpenFirst: true,
    // Who caused the defect, read from each T9 code's label (§6); a code of no fault names the
    // side the OI's finding points to.
    defectResponsibilityByClosureCode: {
      RET01: 'OI', // DEFAUT CONFIRME ET CORRIGE PAR OI: the OI's network was at fault
      RET02: 'OI', // PRELOC ERRONEE, DEFAUT CORRIGE PAR OI: a defect of the OI's, only prelocalised wrong
      RET03: 'OI', // INCIDENT GENERALISE: a collective outage of the OI's network
      RET04: 'TIERS', // DEFAUT CAUSE PAR UN TIERS IDENTIFIE: a third party, by its own label
      RET05: 'TIERS', // CAUSES EXCEPTIONNELLES (INTEMPERIES): weather, neither operator
      RET06: 'TIERS', // VANDALISME: an outside party, neither operator
      STT01: 'OC', // PAS DE DEFAUT ... SUR LA PARTIE DE L OI: the OI's part is clear, so the OC's side
      STT03: 'OC', // DEFAUT DETECTE RESPONSABILITE OC: the OC, by its own label
      ABS01: 'OC', // CLIENT ABSENT: the OC's customer, for whom the OC answers to the OI
      ABS02: 'OC', // CLIENT ABSENT LORS DU RDV: idem
      EXC01: 'OC', // DESACCORD TERRAIN SUITE EXPERTISE CONJOINTE: the OI maintains its part is not at fault
      EXC02: 'OC', // TECHNICIEN OC ABSENT: the OC missed the joint expertise
      EXC03: 'OI', // TECHNICIEN OI ABSENT: the OI missed the joint expertise
    },
  },
  settingsBasis: {
    ftthNamespace: decision('§2'),
    strictSirenKey: decision('§5'),
    legacyStatesReadable: decision('§6'),
    cancellationRefusalAllowed: decision('§7 T11'),
    lenientFtthNamespace: decision('§2'),
    initialVersionNumber: decision('§7'),
    rejectStaleVersion: decision('§7'),
    rejectUnissuedVersion: decision('§7'),
    illegalTransitionField: decision('§7'),
    staleVersionField: decision('§7'),
    unknownKeyField: decision('§9'),
    maxMessageBytes: decision('§9'),
    ocIsolation: decision('§3'),
    getByTechnicalIdOpenFirst: decision('§3'),
    defectResponsibilityByClosureCode: decision('§6'),
  },
};
